// SPDX-License-Identifier: ISC
// k8s-validate.cjs MODULES FILE: validates every object of a multi-document
// YAML file (helm template's output) against the Kubernetes OpenAPI schema
// of its kind (kubernetes-models) and prints them as one JSON array for jq.
// Exit 1, naming the object, on an invalid or unknown one.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

if (process.argv.length !== 4) {
	console.error('usage: k8s-validate.cjs node_modules file.yaml');
	process.exit(2);
}
const load = createRequire(path.join(path.resolve(process.argv[2]), 'x.js'));
const YAML = load('yaml');

// Only the kinds the chart renders: any other one is a test failure.
const models = {
	'v1/ConfigMap': () => load('kubernetes-models/v1').ConfigMap,
	'v1/Secret': () => load('kubernetes-models/v1').Secret,
	'v1/Service': () => load('kubernetes-models/v1').Service,
	'v1/ServiceAccount': () => load('kubernetes-models/v1').ServiceAccount,
	'apps/v1/DaemonSet': () => load('kubernetes-models/apps/v1').DaemonSet,
	'monitoring.coreos.com/v1/PodMonitor': () =>
	    load('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1')
	    .PodMonitor,
};

const text = fs.readFileSync(process.argv[3], 'utf8');
const objects = [];
let failed = false;
for (const doc of YAML.parseAllDocuments(text)) {
	if (doc.errors.length > 0) {
		console.error(`YAML: ${doc.errors[0].message}`);
		process.exit(1);
	}
	const obj = doc.toJS();
	if (obj === null)
		continue;
	const kind = `${obj.apiVersion}/${obj.kind}`;
	const name = `${kind} ${obj.metadata && obj.metadata.name}`;
	if (!(kind in models)) {
		console.error(`${name}: no model for this kind`);
		failed = true;
		continue;
	}
	const Model = models[kind]();
	try {
		new Model(obj).validate();
	} catch (e) {
		console.error(`${name}: ${e.message}`);
		failed = true;
		continue;
	}
	objects.push(obj);
}
if (failed)
	process.exit(1);
console.log(JSON.stringify(objects));
