# Sourced by fuzz/compare-engines.sh and fuzz/speed.sh: what both take and how they run a target.
#   fuzz_parse_args [SECONDS] [TARGET...]   sets $seconds (default 60) and the array $targets
#                                           (default: every target but kernel_tree_fuzz)
#   fuzz_dict TARGET                        the dictionary the target runs with, or nothing

fuzz_parse_args() {
    seconds=60
    if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
        seconds=$1
        shift
    fi
    targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=(raw_dispatch_fuzz same_state_under_schedule_fuzz trace_roundtrip_fuzz
        devmshv_ioctl_fuzz control_result_roundtrip_fuzz scenario_reader_fuzz trace_reader_fuzz)
}

fuzz_dict() {
    case $1 in
        raw_dispatch_fuzz | same_state_under_schedule_fuzz | control_result_roundtrip_fuzz) echo corpus/hypercalls.dict ;;
        scenario_reader_fuzz | trace_reader_fuzz) echo "corpus/$1.dict" ;;
        *) echo "" ;;
    esac
}
