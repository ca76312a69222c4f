/* SPDX-License-Identifier: MIT */
/* <acpi/acpi_numa.h>: node_to_pxm and pxm_to_node are in hvsim/kernel.h (one node). */
#include <hvsim/kernel.h>
