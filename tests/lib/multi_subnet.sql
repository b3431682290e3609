-- SPDX-License-Identifier: ISC
-- The optional multi_subnet table (doc/architecture.md, 1.1): a CIDR per subnet, used when
-- multi_interface.cidr is NULL. Loaded only by tests that need it.

CREATE TABLE multi_subnet (
    subnet_id VARCHAR(36) NOT NULL PRIMARY KEY,
    cidr VARCHAR(18)
);
