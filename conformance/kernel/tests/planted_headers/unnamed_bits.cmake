# A reserved run one bit short: 24 + 7 of a u32's 32 bits are named, one bit has no name.
set(FILE include/hyperv/hvgdk_mini.h)
set(OLD "union hv_port_id {\n	u32 as__u32;\n	struct {\n		u32 id : 24;\n		u32 reserved : 8;")
set(NEW "union hv_port_id {\n	u32 as__u32;\n	struct {\n		u32 id : 24;\n		u32 reserved : 7;")
set(EXPECT bitfield.unnamed_bits)
