# Sourced by the bench scripts (needs $tmp, a scratch dir, and a global bg_pid the caller's
# EXIT trap kills).

# Peak anonymous RSS (RssAnon: heap, stacks; not the page cache behind an mmap'd input) and
# peak total RSS (VmHWM) of one run of "$@", sampled every 20 ms. The kernel keeps no
# high-water mark for RssAnon, hence the sampling; VmHWM is the kernel's own mark, as last read.
# Sets peak_anon_kb, peak_hwm_kb and peak_status (globals, not a subshell: the EXIT trap must
# see bg_pid to stop the run on Ctrl-C, since background jobs of a script ignore SIGINT).
peak_mem() {
  local max_anon=0 hwm=0 key val rest
  "$@" > /dev/null 2> "$tmp/err" &
  bg_pid=$!
  while kill -0 "$bg_pid" 2> /dev/null; do
    # `read` instead of awk/grep: no fork per sample, so 20 ms stays 20 ms.
    while read -r key val rest; do
      case $key in
        RssAnon:) ((val > max_anon)) && max_anon=$val ;;
        VmHWM:) ((val > hwm)) && hwm=$val ;;
      esac
    done < "/proc/$bg_pid/status" 2> /dev/null || true
    sleep 0.02
  done
  peak_status=0
  wait "$bg_pid" || peak_status=$?
  bg_pid=""
  peak_anon_kb=$max_anon
  peak_hwm_kb=$hwm
}
