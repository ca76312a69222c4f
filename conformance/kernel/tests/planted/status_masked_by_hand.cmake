# A failed unmap returns the status's low byte as an errno instead of hv_result_to_errno().
set(FILE drivers/hv/mshv_root_hv_call.c)
set(OLD "		if (!hv_result_success(status))\n			return hv_result_to_errno(status);\n		done += hv_repcomp(status);")
set(NEW "		if (!hv_result_success(status))\n			return -(int)(status & 0xff);\n		done += hv_repcomp(status);")
set(EXPECT errno.not_driver_mapping)
