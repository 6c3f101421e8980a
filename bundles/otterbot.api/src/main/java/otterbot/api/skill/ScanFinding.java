package otterbot.api.skill;

/**
 * One finding of the security scanner (upstream §8.6).
 *
 * @param severity {@code error}, {@code warning} or {@code info}
 * @param category {@code hidden-content}, {@code prompt-injection}, {@code dangerous-tools} or {@code exfiltration}
 * @param line 1-based, or null when the finding has no line
 * @param snippet at most 80 characters of the text found, or null
 */
public record ScanFinding(String severity, String category, String message, Integer line, String snippet) {}
