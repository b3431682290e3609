# SPDX-License-Identifier: ISC
# Floods a unix socket with connections, as a hostile local user would:
# WORKERS processes each keep HOLD connections open without sending a byte
# (so they occupy the daemon's slots until its deadline) and open new ones
# as fast as they can, closing their oldest. READYFILE is created once every
# worker has made 100 connections; on SIGTERM each worker adds its count of
# connections to COUNTFILE, one line each.
# Usage: flood.pl PATH WORKERS HOLD READYFILE COUNTFILE
use strict;
use warnings;
use Socket;
use Time::HiRes qw(sleep);

my ($path, $workers, $hold, $ready, $countfile) = @ARGV;
die "usage: flood.pl PATH WORKERS HOLD READYFILE COUNTFILE\n"
    unless defined $countfile;

sub worker {
	my ($id) = @_;
	my (@held, $count);
	$count = 0;
	my $done = 0;
	$SIG{TERM} = sub { $done = 1 };
	while (!$done) {
		my $s;
		socket($s, AF_UNIX, SOCK_STREAM, 0) or next;
		if (connect($s, pack_sockaddr_un($path))) {
			$count++;
			push @held, $s;
			if ($count == 100) {
				open(my $f, '>', "$ready.$id") or die "$ready.$id: $!\n";
				close($f);
			}
		}
		close(shift @held) while @held > $hold;
	}
	open(my $f, '>>', $countfile) or exit 1;
	print $f "$count\n";
	close($f);
	exit 0;
}

my @pids;
for my $id (1 .. $workers) {
	my $pid = fork();
	die "fork: $!\n" unless defined $pid;
	worker($id) if $pid == 0;
	push @pids, $pid;
}
$SIG{TERM} = sub { kill 'TERM', @pids; };
for my $id (1 .. $workers) {
	sleep 0.1 until -e "$ready.$id" || !kill(0, $pids[$id - 1]);
}
open(my $f, '>', $ready) or die "$ready: $!\n";
close($f);
for my $pid (@pids) {
	1 while waitpid($pid, 0) == -1 && $!{EINTR};
}
