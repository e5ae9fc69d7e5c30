# SPDX-License-Identifier: MIT
# Contract tests of the simulated estate (app/sim) against the documented API shapes.
opsdeck_add_test(NAME tst_simkafka SOURCES integration/sim/tst_simkafka.cpp
                 LIBS opsdeck_sim PkgConfig::RDKAFKA LABELS integration)
opsdeck_add_test(NAME tst_simmesos SOURCES integration/sim/tst_simmesos.cpp
                 LIBS opsdeck_sim Qt6::Network LABELS integration)
opsdeck_add_test(NAME tst_simmarathon SOURCES integration/sim/tst_simmarathon.cpp
                 LIBS opsdeck_sim Qt6::Network LABELS integration)
opsdeck_add_test(NAME tst_simconsul SOURCES integration/sim/tst_simconsul.cpp
                 LIBS opsdeck_sim Qt6::Network LABELS integration)
