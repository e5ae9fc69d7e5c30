# SPDX-License-Identifier: MIT
# Flags every Opsdeck target shares (qBittorrent's qbt_common_cfg, in plain CMake).
add_library(opsdeck_common INTERFACE)
target_compile_features(opsdeck_common INTERFACE cxx_std_20)
target_include_directories(opsdeck_common INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_definitions(opsdeck_common INTERFACE
    QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER QT_DISABLE_DEPRECATED_BEFORE=0x060400
    OPSDECK_VERSION="${PROJECT_VERSION}")
target_compile_options(opsdeck_common INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual
    $<$<BOOL:${OPSDECK_WERROR}>:-Werror>)
if(OPSDECK_SANITIZE)
    target_compile_options(opsdeck_common INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(opsdeck_common INTERFACE -fsanitize=address,undefined)
endif()
