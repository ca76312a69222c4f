# Access states fetched with one call (no resume) and copied for the whole batch, not for the
# reps the call completed: after a time-slice end the rest are stale bytes of the output page.
set(FILE drivers/hv/mshv_root_hv_call.c)
set(OLD "		status = hv_do_rep_hypercall(HVCALL_GET_GPA_PAGES_ACCESS_STATES,\n					     min_t(u32, count - done, FIXTURE_ACCESS_STATES_BATCH),\n					     0, in, out);")
set(NEW "		status = hv_do_hypercall(HVCALL_GET_GPA_PAGES_ACCESS_STATES |\n					 (u64)min_t(u32, count - done, FIXTURE_ACCESS_STATES_BATCH) << HV_HYPERCALL_REP_COMP_OFFSET,\n					 in, out);")
set(OLD2 "		got = hv_result_success(status) ? hv_repcomp(status) : 0;\n		for (i = 0; i < got; i++)\n			states[done + i] = out[i];")
set(NEW2 "		got = hv_result_success(status) ? min_t(u32, count - done, FIXTURE_ACCESS_STATES_BATCH) : 0;\n		for (i = 0; i < got; i++)\n			states[done + i] = out[i];")
set(EXPECT output.not_from_model)
