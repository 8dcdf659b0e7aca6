package dev.streamlens.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random abuse for a running HTTP service, shared by both services' fuzz tests: mutations of
 * valid bodies and query strings, odd headers, and a raw socket to send them (an HTTP client
 * library would refuse to send most of it). Seeded, so a failing case can be replayed.
 */
public final class HttpFuzzer {

    /** What the server answered: its status, or -1 when it closed the connection without one. */
    public record Outcome(int status, String statusLine) {}

    private static final String[] NASTY_STRINGS = {
        "",
        "null",
        "true",
        "-1",
        "1e400",
        "NaN",
        "\u0000",
        "\u202e",
        "\ud83d\ude00",
        "'; DROP TABLE llm_metrics; --",
        "%00",
        "%",
        "%zz",
        "../../etc/passwd",
        "{}",
        "[]",
        "\"",
        "\\",
        "\r\n",
        "a".repeat(70_000),
        "9".repeat(400),
        "{\"a\":".repeat(5000),
        "[".repeat(10_000)
    };

    private final int port;
    private final Random random;

    public HttpFuzzer(int port, long seed) {
        this.port = port;
        this.random = new Random(seed);
    }

    public Random random() {
        return random;
    }

    public <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** One to four random mutations of a valid body (bytes flipped, cut, repeated, replaced, nested ...). */
    public byte[] mutate(byte[] valid) {
        byte[] body = valid;
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            body = mutateOnce(body);
        }
        return body;
    }

    private byte[] mutateOnce(byte[] body) {
        if (body.length == 0) {
            return nasty().getBytes(StandardCharsets.UTF_8);
        }
        int at = random.nextInt(body.length);
        int to = Math.min(body.length, at + 1 + random.nextInt(Math.max(1, body.length - at)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (random.nextInt(8)) {
            case 0 -> { // flip one byte
                byte[] copy = body.clone();
                copy[at] = (byte) random.nextInt(256);
                return copy;
            }
            case 1 -> { // cut a range
                out.write(body, 0, at);
                out.write(body, to, body.length - to);
            }
            case 2 -> { // repeat a range
                out.write(body, 0, to);
                out.write(body, at, to - at);
                out.write(body, to, body.length - to);
            }
            case 3 -> { // insert a nasty string
                out.write(body, 0, at);
                out.writeBytes(nasty().getBytes(StandardCharsets.UTF_8));
                out.write(body, at, body.length - at);
            }
            case 4 -> { // replace a range with a nasty string
                out.write(body, 0, at);
                out.writeBytes(nasty().getBytes(StandardCharsets.UTF_8));
                out.write(body, to, body.length - to);
            }
            case 5 -> { // truncate
                out.write(body, 0, at);
            }
            case 6 -> { // random bytes
                byte[] noise = new byte[1 + random.nextInt(64)];
                random.nextBytes(noise);
                out.write(body, 0, at);
                out.writeBytes(noise);
                out.write(body, at, body.length - at);
            }
            default -> { // wrap in an array or object
                out.writeBytes(
                        random.nextBoolean()
                                ? "[".getBytes(StandardCharsets.UTF_8)
                                : "{\"x\":".getBytes(StandardCharsets.UTF_8));
                out.writeBytes(body);
                out.writeBytes(
                        random.nextBoolean()
                                ? "]".getBytes(StandardCharsets.UTF_8)
                                : "}".getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** A query string with values mutated, parameters repeated, dropped or invented. */
    public String mutateQuery(List<String> validParameters) {
        List<String> parameters = new ArrayList<>(validParameters);
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            int i = random.nextInt(parameters.size());
            String[] pair = parameters.get(i).split("=", 2);
            switch (random.nextInt(5)) {
                case 0 -> parameters.set(i, pair[0] + "=" + percentEncodedOrRaw(nasty()));
                case 1 -> parameters.add(parameters.get(i));
                case 2 -> parameters.remove(i);
                case 3 -> parameters.add(percentEncodedOrRaw(nasty()) + "=" + percentEncodedOrRaw(nasty()));
                default ->
                    parameters.set(
                            i,
                            pair[0] + "="
                                    + new String(
                                            mutate(
                                                    pair.length > 1
                                                            ? pair[1].getBytes(StandardCharsets.UTF_8)
                                                            : new byte[0]),
                                            StandardCharsets.ISO_8859_1));
            }
            if (parameters.isEmpty()) {
                parameters.add("tenant_id=" + percentEncodedOrRaw(nasty()));
            }
        }
        return String.join("&", parameters);
    }

    /** Content types and extra headers, sometimes odd, sometimes huge. */
    public List<String> headers(String usualContentType) {
        List<String> headers = new ArrayList<>();
        String[] types = {
            usualContentType,
            "application/json",
            "application/x-ndjson",
            "text/plain",
            "application/xml",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
            nasty()
        };
        int type = random.nextInt(types.length + 1);
        if (type < types.length) {
            headers.add("Content-Type: " + headerSafe(types[type]));
        }
        switch (random.nextInt(6)) {
            case 0 -> headers.add("Authorization: Bearer " + headerSafe(nasty()));
            case 1 -> headers.add("X-API-Key: " + headerSafe(nasty()));
            case 2 -> headers.add("X-Junk: " + "x".repeat(random.nextInt(40_000)));
            case 3 -> headers.add("Accept: " + headerSafe(nasty()));
            case 4 -> headers.add("Transfer-Encoding: " + (random.nextBoolean() ? "gzip" : "identity"));
            default -> {}
        }
        return headers;
    }

    /** Sends one request over a fresh connection and reads the status line of the answer. */
    public Outcome send(String method, String target, List<String> headers, byte[] body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method)
                    .append(' ')
                    .append(target)
                    .append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:")
                    .append(port)
                    .append("\r\n")
                    .append("Connection: close\r\n")
                    .append("Content-Length: ")
                    .append(body.length)
                    .append("\r\n");
            headers.forEach(h -> head.append(h).append("\r\n"));
            head.append("\r\n");
            try {
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the server may answer (413, 431) and close before reading everything
            }
            String line = readLine(socket.getInputStream());
            if (line == null || !line.startsWith("HTTP/1.1 ")) {
                return new Outcome(-1, line);
            }
            return new Outcome(Integer.parseInt(line.substring(9, 12)), line);
        }
    }

    /**
     * Whether a request line with this target is one a server must answer: visible ASCII only, as
     * HTTP/1.1 requires (no spaces, no raw bytes), and within the server's request-line limit.
     * Anything else may be answered or simply cut off.
     */
    public static boolean isValidRequestTarget(String target, int maxRequestLine) {
        return target.length() + 16 <= maxRequestLine && target.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** The heap in use after a few GCs: what a fuzz run may not make grow. */
    public static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private String nasty() {
        return NASTY_STRINGS[random.nextInt(NASTY_STRINGS.length)];
    }

    private String percentEncodedOrRaw(String value) {
        if (random.nextBoolean()) {
            return java.net.URLEncoder.encode(
                    value.length() > 3000 ? value.substring(0, 3000) : value, StandardCharsets.UTF_8);
        }
        return value.length() > 200
                ? value.substring(0, 200)
                : headerSafe(value).replace(' ', '+');
    }

    /** Header and request-line bytes must stay on one line for the request to be framed at all. */
    private static String headerSafe(String value) {
        return value.replace("\r", "").replace("\n", "").replace("\u0000", "").replace(' ', '_');
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        try {
            while ((b = in.read()) != -1 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
        } catch (java.net.SocketException e) {
            return line.length() == 0 ? null : line.toString();
        }
        return line.length() == 0 && b == -1 ? null : line.toString();
    }
}
