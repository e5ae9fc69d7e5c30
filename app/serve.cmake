# SPDX-License-Identifier: MIT
# opsdeck-serve and alerts sent out (issue 6).
# opsdeck_serve: what main_serve.cpp needs besides the feed, in a library for the unit tests.
add_library(opsdeck_serve STATIC
    serveoptions.h serveoptions.cpp
    servelog.h servelog.cpp
    servesignals.h servesignals.cpp
)
target_link_libraries(opsdeck_serve PUBLIC opsdeck_app Qt6::Core Qt6::Network)

# Never Widgets: tests/serve.cmake checks the linked libraries (serve_links_no_widgets).
add_executable(opsdeck-serve main_serve.cpp)
target_link_libraries(opsdeck-serve PRIVATE opsdeck_serve opsdeck_app opsdeck_feed opsdeck_sim)
target_compile_definitions(opsdeck-serve PRIVATE
    OPSDECK_SOURCE_WEB_ROOT="${PROJECT_SOURCE_DIR}/resources/web")
install(TARGETS opsdeck-serve RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The dashboard's files, where defaultWebRoot() in main_serve.cpp looks for them.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/web DESTINATION ${CMAKE_INSTALL_DATADIR}/opsdeck)
# `opsdeck serve` runs the opsdeck-serve beside it.
if(TARGET opsdeck)
    add_dependencies(opsdeck opsdeck-serve)
endif()
