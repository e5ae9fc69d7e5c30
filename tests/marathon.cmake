# SPDX-License-Identifier: MIT
# Marathon and Mesos: models, parsers, connectors.

# Models (store, table models, rollout plans).
opsdeck_add_test(NAME tst_marathonstore SOURCES unit/models/tst_marathonstore.cpp
                 LIBS opsdeck_models LABELS unit)
opsdeck_add_test(NAME tst_marathontablemodels SOURCES unit/models/tst_marathontablemodels.cpp
                 LIBS opsdeck_models LABELS unit)
opsdeck_add_test(NAME tst_rolloutplan SOURCES unit/models/tst_rolloutplan.cpp
                 LIBS opsdeck_models LABELS unit)

# Parsers (and SSE framing) of the Marathon and Mesos connectors.
opsdeck_add_test(NAME tst_marathonparsers SOURCES unit/connectors/tst_marathonparsers.cpp
                 LIBS opsdeck_connectors LABELS unit)
opsdeck_add_test(NAME tst_mesosparsers SOURCES unit/connectors/tst_mesosparsers.cpp
                 LIBS opsdeck_connectors LABELS unit)

# The connectors against the simulated Marathon and Mesos (app/sim), through Estate.
opsdeck_add_test(NAME tst_mesosconnector_live SOURCES integration/sim/tst_mesosconnector_live.cpp
                 LIBS opsdeck_sim opsdeck_app LABELS integration)
opsdeck_add_test(NAME tst_marathonconnector_live SOURCES integration/sim/tst_marathonconnector_live.cpp
                 LIBS opsdeck_sim opsdeck_app LABELS integration)
