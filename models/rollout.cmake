# SPDX-License-Identifier: MIT
# Issue 7: rolling updates and restarts on Docker hosts (planning, re-creation, progress).
target_sources(opsdeck_models PRIVATE
    dockerrollout.h dockerrollout.cpp
    rolloutoperations.h
    marathonrollouttracker.h marathonrollouttracker.cpp
)
