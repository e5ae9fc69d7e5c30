# SPDX-License-Identifier: MIT
# Contract tests of the simulated estate (app/sim) against the documented API shapes.
opsdeck_add_test(NAME tst_simkafka SOURCES integration/sim/tst_simkafka.cpp
                 LIBS opsdeck_sim PkgConfig::RDKAFKA LABELS integration)
opsdeck_add_test(NAME tst_simestate SOURCES integration/sim/tst_simestate.cpp
                 LIBS opsdeck_sim opsdeck_models Qt6::Network LABELS integration)
opsdeck_add_test(NAME tst_simconsul SOURCES integration/sim/tst_simconsul.cpp
                 LIBS opsdeck_sim Qt6::Network LABELS integration)
opsdeck_add_test(NAME tst_simmesos SOURCES integration/sim/tst_simmesos.cpp
                 LIBS opsdeck_sim Qt6::Network LABELS integration)
opsdeck_add_test(NAME tst_simmarathon SOURCES integration/sim/tst_simmarathon.cpp
                 LIBS opsdeck_sim Qt6::Network LABELS integration)
# The executables: opsdeck-sim always, opsdeck (status, --demo) when the desktop is built.
opsdeck_add_test(NAME tst_opsdeck_sim SOURCES integration/cli/tst_opsdeck_sim.cpp LIBS Qt6::Core LABELS integration)
target_compile_definitions(tst_opsdeck_sim PRIVATE OPSDECK_SIM_BINARY="$<TARGET_FILE:opsdeck-sim>")
add_dependencies(tst_opsdeck_sim opsdeck-sim)
if(OPSDECK_BUILD_GUI)
    target_compile_definitions(tst_opsdeck_sim PRIVATE OPSDECK_BINARY="$<TARGET_FILE:opsdeck>")
    add_dependencies(tst_opsdeck_sim opsdeck)
endif()
