/// How long a test waits for something that should happen. Every wait is bounded so a broken
/// server fails a test instead of hanging it, but the bound is generous: on a shared 2-core machine
/// under load a step that normally takes milliseconds can take seconds. Waits end as soon as the
/// condition holds, so the bound costs nothing when tests pass. Waits that assert that nothing
/// happens use their own short, explicit durations.
enum TestPatience {
    static let seconds: Double = 30
}
