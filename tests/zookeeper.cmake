# SPDX-License-Identifier: MIT
# ZooKeeper connector against a real ZooKeeper started by a CTest fixture.
set(ZOOKEEPER_STATE_DIR ${CMAKE_CURRENT_BINARY_DIR}/zookeeper-state)
set(ZOOKEEPER_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/integration/zookeeper/zookeeper.sh)
add_test(NAME zookeeper_up COMMAND ${ZOOKEEPER_SCRIPT} up ${ZOOKEEPER_STATE_DIR})
add_test(NAME zookeeper_down COMMAND ${ZOOKEEPER_SCRIPT} down ${ZOOKEEPER_STATE_DIR})
set_tests_properties(zookeeper_up PROPERTIES FIXTURES_SETUP zookeeper RESOURCE_LOCK zookeeper
    LABELS integration TIMEOUT 120)
set_tests_properties(zookeeper_down PROPERTIES FIXTURES_CLEANUP zookeeper RESOURCE_LOCK zookeeper
    LABELS integration TIMEOUT 60)

# The test writes nodes itself through the C client's synchronous API.
find_path(ZOOKEEPER_INCLUDE_DIR zookeeper/zookeeper.h REQUIRED)
find_library(ZOOKEEPER_MT_LIBRARY zookeeper_mt REQUIRED)
opsdeck_add_test(NAME tst_zookeeperconnector_live
                 SOURCES integration/zookeeper/tst_zookeeperconnector_live.cpp
                 LIBS opsdeck_connectors ${ZOOKEEPER_MT_LIBRARY} LABELS integration)
target_include_directories(tst_zookeeperconnector_live PRIVATE ${ZOOKEEPER_INCLUDE_DIR})
# zookeeper.h declares the synchronous calls only for the multi-threaded library.
target_compile_definitions(tst_zookeeperconnector_live PRIVATE THREADED)
set_tests_properties(tst_zookeeperconnector_live PROPERTIES
    FIXTURES_REQUIRED zookeeper RESOURCE_LOCK zookeeper
    ENVIRONMENT "OPSDECK_ZOOKEEPER_STATE=${ZOOKEEPER_STATE_DIR};OPSDECK_ZOOKEEPER_SCRIPT=${ZOOKEEPER_SCRIPT}")
