# SPDX-License-Identifier: MIT
# ZooKeeper connector against a real ZooKeeper started by a CTest fixture.
