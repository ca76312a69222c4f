# Two ioctls with one number: a new partition ioctl copies CREATE_VP's line.
set(FILE include/uapi/linux/mshv.h)
set(OLD "#define MSHV_SET_GUEST_MEMORY")
set(NEW "#define MSHV_ASSERT_INTERRUPT	_IOW(MSHV_IOCTL, 0x01, struct mshv_create_vp)\n#define MSHV_SET_GUEST_MEMORY")
set(EXPECT ioctl.duplicate)
