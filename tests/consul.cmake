# SPDX-License-Identifier: MIT
# Consul connector (against the simulated Consul) and Docker's archive API for config files.

opsdeck_add_test(NAME tst_consulparsers SOURCES unit/connectors/tst_consulparsers.cpp
                 LIBS opsdeck_connectors LABELS unit)
opsdeck_add_test(NAME tst_consulconnector_live SOURCES integration/sim/tst_consulconnector_live.cpp
                 LIBS opsdeck_sim opsdeck_connectors LABELS integration)
opsdeck_add_test(NAME tst_dockerarchive SOURCES integration/sim/tst_dockerarchive.cpp
                 LIBS opsdeck_sim opsdeck_connectors LABELS integration)
