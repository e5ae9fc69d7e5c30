# SPDX-License-Identifier: MIT
# The ZooKeeper connector on Debian's multi-threaded C client (libzookeeper-mt-dev, which ships
# no pkg-config file). Private: nothing outside the connector sees zookeeper.h.
find_path(ZOOKEEPER_INCLUDE_DIR zookeeper/zookeeper.h REQUIRED)
find_library(ZOOKEEPER_MT_LIBRARY zookeeper_mt REQUIRED)
target_sources(opsdeck_connectors PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/zookeepersession.h ${CMAKE_CURRENT_LIST_DIR}/zookeepersession.cpp
    ${CMAKE_CURRENT_LIST_DIR}/zookeeperconnector.h ${CMAKE_CURRENT_LIST_DIR}/zookeeperconnector.cpp
)
target_include_directories(opsdeck_connectors PRIVATE ${ZOOKEEPER_INCLUDE_DIR})
target_link_libraries(opsdeck_connectors PRIVATE ${ZOOKEEPER_MT_LIBRARY})
