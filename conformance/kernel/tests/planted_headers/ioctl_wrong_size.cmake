# An ioctl whose size field is not its struct's: CREATE_VP encoded with a u64 where the driver
# copies the 4-byte struct mshv_create_vp.
set(FILE include/uapi/linux/mshv.h)
set(OLD "_IOW(MSHV_IOCTL, 0x01, struct mshv_create_vp)")
set(NEW "_IOW(MSHV_IOCTL, 0x01, __u64)")
set(EXPECT ioctl.size_mismatch)
