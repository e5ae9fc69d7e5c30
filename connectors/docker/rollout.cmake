# SPDX-License-Identifier: MIT
# Issue 7: executes Docker rollouts (rename, stop, create, start, health, rollback).
target_sources(opsdeck_connectors PRIVATE
    docker/dockerrollout.h docker/dockerrollout.cpp
)
