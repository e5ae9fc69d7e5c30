# SPDX-License-Identifier: MIT
# etcd connector against a real etcd-server started by a CTest fixture.
opsdeck_add_test(NAME tst_etcdparsers SOURCES unit/connectors/tst_etcdparsers.cpp
                 LIBS opsdeck_connectors LABELS unit)

# One private etcd member on free 127.0.0.1 ports: etcd.sh kills only the pid it started.
set(ETCD_STATE_DIR ${CMAKE_CURRENT_BINARY_DIR}/etcd-state)
set(ETCD_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/integration/etcd/etcd.sh)
add_test(NAME etcd_up COMMAND ${ETCD_SCRIPT} up ${ETCD_STATE_DIR})
add_test(NAME etcd_down COMMAND ${ETCD_SCRIPT} down ${ETCD_STATE_DIR})
set_tests_properties(etcd_up PROPERTIES FIXTURES_SETUP etcd LABELS integration TIMEOUT 60
    RESOURCE_LOCK etcd)
set_tests_properties(etcd_down PROPERTIES FIXTURES_CLEANUP etcd LABELS integration TIMEOUT 60
    RESOURCE_LOCK etcd)

opsdeck_add_test(NAME tst_etcdconnector_live SOURCES integration/etcd/tst_etcdconnector_live.cpp
                 LIBS opsdeck_connectors LABELS integration)
set_tests_properties(tst_etcdconnector_live PROPERTIES FIXTURES_REQUIRED etcd RESOURCE_LOCK etcd
    ENVIRONMENT "OPSDECK_ETCD_STATE=${ETCD_STATE_DIR};OPSDECK_ETCD_SCRIPT=${ETCD_SCRIPT}")
