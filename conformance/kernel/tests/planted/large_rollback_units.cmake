# After a failed 2 MiB map, the rollback passes the count in 2 MiB units where 4 KiB are expected.
set(FILE drivers/hv/mshv_root_hv_call.c)
set(OLD "hv_call_unmap_gpa_pages(partition_id, gfn, done << shift,")
set(NEW "hv_call_unmap_gpa_pages(partition_id, gfn, done,")
set(EXPECT rollback.incomplete)
