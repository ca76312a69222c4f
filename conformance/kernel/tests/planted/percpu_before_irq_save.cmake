# The per-CPU input page is taken before interrupts are disabled.
set(FILE drivers/hv/mshv_root_hv_call.c)
set(OLD "	local_irq_save(flags);\n	in = *this_cpu_ptr(hyperv_pcpu_input_arg);\n	memset(in, 0, sizeof(*in));\n	in->partition_id = partition_id;\n	in->control = control;")
set(NEW "	in = *this_cpu_ptr(hyperv_pcpu_input_arg);\n	local_irq_save(flags);\n	memset(in, 0, sizeof(*in));\n	in->partition_id = partition_id;\n	in->control = control;")
set(EXPECT kshim.percpu_page.irqs_enabled)
