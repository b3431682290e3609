-- SPDX-License-Identifier: ISC
-- The controller's table, as multinicd reads it (doc/architecture.md, 1.1). The controller
-- owns it; multinicd never creates or alters it. Used by the tests and as a
-- reference for operators setting up a database.

CREATE TABLE multi_interface (
    id INT PRIMARY KEY AUTO_INCREMENT,
    port_id VARCHAR(36) NOT NULL,
    subnet_id VARCHAR(36) NOT NULL,
    macaddress VARCHAR(17) NOT NULL,
    attached_node_name VARCHAR(255),
    netplan_success TINYINT(1) DEFAULT 0,
    address VARCHAR(15),
    cidr VARCHAR(18),
    mtu INT DEFAULT 1500,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    modified_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    deleted_at TIMESTAMP NULL
);

-- Every poll selects this node's rows: keep that an index lookup.
CREATE INDEX idx_multi_interface_node ON multi_interface (attached_node_name);

-- Optional: some sites keep the CIDR in a separate table,
-- multi_subnet(subnet_id, cidr), used when multi_interface.cidr is NULL.
-- multinicd looks it up in information_schema and works without it, so it
-- is not created here; tests that need it load tests/lib/multi_subnet.sql.
