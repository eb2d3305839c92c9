#!/usr/bin/env bash
# t_kernel.sh - the kernel module (src/netlink/kr.c) against the real kernel:
# single and ECMP routes, replace, delete, flush, the monitor, addresses,
# 100k-route batches.  tests/netns/kr.sh makes its own namespaces and cleans
# up; the program is built by meson as tests/kr_test.
set -u
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/kr.sh" "${RIPOSTE_BUILD:?}/tests/kr_test"
