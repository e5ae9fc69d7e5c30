# SPDX-License-Identifier: MIT
# The config model, the diff engine and its rules, the diff CLI and viewer.
opsdeck_add_test(NAME tst_kvstore SOURCES unit/models/tst_kvstore.cpp
                 LIBS opsdeck_models LABELS unit)
opsdeck_add_test(NAME tst_configdiff SOURCES unit/models/tst_configdiff.cpp
                 LIBS opsdeck_models LABELS unit)
opsdeck_add_test(NAME tst_configmodel SOURCES unit/models/tst_configmodel.cpp
                 LIBS opsdeck_models LABELS unit)
if(OPSDECK_BUILD_GUI)
    opsdeck_add_test(NAME tst_configdiffview SOURCES unit/views/tst_configdiffview.cpp
                     LIBS opsdeck_desktop LABELS unit GUI)
endif()
# `opsdeck diff` on the demo estate: the golden file holds exactly its planted differences.
if(OPSDECK_BUILD_GUI)
    opsdeck_add_test(NAME tst_opsdeck_diff SOURCES integration/cli/tst_opsdeck_diff.cpp
                     LIBS Qt6::Core LABELS integration)
    target_compile_definitions(tst_opsdeck_diff PRIVATE OPSDECK_BINARY="$<TARGET_FILE:opsdeck>")
    add_dependencies(tst_opsdeck_diff opsdeck)
endif()
# EstateConfigProvider on the demo estate (in-process): files read through the archive API.
opsdeck_add_test(NAME tst_estateconfig SOURCES integration/app/tst_estateconfig.cpp
                 LIBS opsdeck_app opsdeck_sim LABELS integration)
# The console's shared alert list: records with a start and an end, no flapping.
opsdeck_add_test(NAME tst_alertboard SOURCES unit/models/tst_alertboard.cpp
                 LIBS opsdeck_models LABELS unit)
# The estate's alert rules on the demo estate (Consul checks, crash loop, gave up, stuck deployment).
opsdeck_add_test(NAME tst_estatealerts SOURCES integration/app/tst_estatealerts.cpp
                 LIBS opsdeck_app opsdeck_sim LABELS integration)
# Kafka lag end to end on the demo estate (mock cluster in-process): rising lag, threshold alert,
# status JSON.
opsdeck_add_test(NAME tst_demokafka SOURCES integration/app/tst_demokafka.cpp
                 LIBS opsdeck_app opsdeck_sim LABELS integration)
