# A bank of bits added to the bitfield view but not to the union's as_uint64 array: the view is
# 16 bytes, the array 8 (and the struct's size assertion moved with it).
set(FILE include/hyperv/hvhdk_mini.h)
set(OLD "			u64 reserved_bits : 57;\n")
set(NEW "			u64 reserved_bits : 57;\n			u64 reserved_bank1 : 64;\n")
set(OLD2 "static_assert(sizeof(struct hv_partition_property_vmm_capabilities) == 16);")
set(NEW2 "static_assert(sizeof(struct hv_partition_property_vmm_capabilities) == 24);")
set(EXPECT bitfield.union_size)
