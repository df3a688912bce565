import Foundation
import Glibc

/// CPU time a process has used, as the benchmarks charge it to a server: utime + stime from
/// /proc/PID/stat (proc(5): fields 14 and 15, counted after the command name in parentheses,
/// which may itself hold spaces). The kernel counts in clock ticks (10 ms here).
public enum ProcessCPUTime {
    /// Seconds of CPU `pid` has used, or nil when it cannot be read (the process is gone).
    public static func seconds(of pid: Int) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so utime (field 14) is fields[11].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
