import Foundation
import Glibc

/// CPU time a process has used, as the benchmarks charge it to a server: the process's CPU-time
/// clock (clock_getcpuclockid(3), read with clock_gettime(2): the runtime of all its threads,
/// those that have ended included, in nanoseconds). When that clock cannot be read, utime + stime
/// from /proc/PID/stat (proc(5): fields 14 and 15, counted after the command name in
/// parentheses, which may itself hold spaces), which the kernel counts in clock ticks (10 ms
/// here): too coarse for the typing benchmark, where a server spends 30-60 ms in a whole run.
public enum ProcessCPUTime {
    /// Seconds of CPU `pid` has used, or nil when it cannot be read (the process is gone).
    public static func seconds(of pid: Int) -> Double? {
        clockSeconds(of: pid) ?? statSeconds(of: pid)
    }

    /// The process's CPU-time clock, or nil when the process is gone or the clock unreadable.
    static func clockSeconds(of pid: Int) -> Double? {
        var clock = clockid_t()
        guard clock_getcpuclockid(pid_t(pid), &clock) == 0 else { return nil }
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return nil }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// utime + stime from /proc/PID/stat.
    static func statSeconds(of pid: Int) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so utime (field 14) is fields[11].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
