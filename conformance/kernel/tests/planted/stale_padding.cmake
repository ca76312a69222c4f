# The map header is filled field by field: its padding keeps what the page held before.
set(FILE drivers/hv/mshv_root_hv_call.c)
set(OLD "		in = *this_cpu_ptr(hyperv_pcpu_input_arg);\n		memset(in, 0, sizeof(*in));\n		in->target_partition_id = partition_id;\n		in->target_gpa_base = gfn + (done << shift);\n		in->map_flags = flags;")
set(NEW "		in = *this_cpu_ptr(hyperv_pcpu_input_arg);\n		in->target_partition_id = partition_id;\n		in->target_gpa_base = gfn + (done << shift);\n		in->map_flags = flags;")
set(EXPECT map_gpa_pages.padding)
