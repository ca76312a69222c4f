# VP creation gives up on a needs-memory status instead of depositing and retrying.
set(FILE drivers/hv/hv_proc.c)
set(OLD "		if (!hv_result_needs_memory(status))\n			return hv_result_to_errno(status);\n		ret = hv_deposit_memory_node(node, partition_id, status);")
set(NEW "		if (true)\n			return hv_result_to_errno(status);\n		ret = hv_deposit_memory_node(node, partition_id, status);")
set(EXPECT schedule.changes_result)
