# SPDX-License-Identifier: MIT
# etcd connector against a real etcd-server started by a CTest fixture.
