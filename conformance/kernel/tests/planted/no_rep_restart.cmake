# The rep loop returns after the first call instead of resuming from the reps completed: a
# deposit cut short leaves the pages it did not deposit allocated and never freed.
set(FILE include/asm-generic/mshyperv.h)
set(OLD "		if (done >= rep_count)\n			return status;")
set(NEW "		if (done >= rep_count || done > 0)\n			return status;")
set(EXPECT deposit.unaccounted)
