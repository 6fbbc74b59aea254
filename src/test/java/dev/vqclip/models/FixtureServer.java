package dev.vqclip.models;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTP server on 127.0.0.1 (loopback only) serving scripted responses per path, recording every request.
 * Closing it releases stalled handlers and stops the server.
 */
public final class FixtureServer implements AutoCloseable {
    /** One request as the server saw it. */
    public record Request(String path, String range) {
    }

    /** A scripted response; {@code n} is the 1-based count of requests to this path so far. */
    @FunctionalInterface
    public interface Behaviour {
        void respond(HttpExchange ex, int n, FixtureServer server) throws IOException;
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fixture-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Behaviour> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    public FixtureServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(new Request(path, ex.getRequestHeaders().getFirst("Range")));
            int n = counts.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            Behaviour b = routes.get(path);
            try {
                if (b == null) {
                    sendStatus(ex, 404);
                } else {
                    b.respond(ex, n, this);
                }
            } catch (IOException e) {
                // the client went away or the behaviour cut the connection on purpose
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    /** @return the URL of {@code path} on this server */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public FixtureServer route(String path, Behaviour b) {
        routes.put(path, b);
        return this;
    }

    public List<Request> requests() {
        return requests;
    }

    public int count(String path) {
        AtomicInteger c = counts.get(path);
        return c == null ? 0 : c.get();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    /** Waits (bounded) until the test ends: a server that has stopped answering. */
    void stall() {
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- behaviours ----

    /** Serves the bytes, honouring {@code Range: bytes=N-} with 206 when {@code ranges} is true. */
    public static Behaviour file(byte[] data, boolean ranges) {
        return (ex, n, s) -> serve(ex, data, ranges, "application/octet-stream");
    }

    /** The first request gets the full length announced but only {@code cutAt} bytes; later ones are served. */
    public static Behaviour cutOnce(byte[] data, int cutAt, boolean ranges) {
        return (ex, n, s) -> {
            if (n == 1) {
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, data.length);
                OutputStream out = ex.getResponseBody();
                out.write(data, 0, cutAt);
                out.flush();
                // closing a fixed-length body early makes the server drop the connection
                throw new IOException("cut on purpose");
            }
            serve(ex, data, ranges, "application/octet-stream");
        };
    }

    /** Sends headers and {@code sendFirst} bytes, then stops answering until the server is closed. */
    public static Behaviour stallAfter(byte[] data, int sendFirst) {
        return (ex, n, s) -> {
            ex.sendResponseHeaders(200, data.length);
            OutputStream out = ex.getResponseBody();
            out.write(data, 0, sendFirst);
            out.flush();
            s.stall();
        };
    }

    /** Never sends the response headers. */
    public static Behaviour stallBeforeHeaders() {
        return (ex, n, s) -> s.stall();
    }

    /** A chunked response (no Content-Length) with the given body and type. */
    public static Behaviour chunked(byte[] body, String type) {
        return (ex, n, s) -> {
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(body);
        };
    }

    public static Behaviour status(int code) {
        return (ex, n, s) -> sendStatus(ex, code);
    }

    /** An HTML page with the given content type (the way file hosts answer when throttling or login-walling). */
    public static Behaviour html(String contentType) {
        return (ex, n, s) -> {
            byte[] page = ("<!DOCTYPE html>\n<html><head><title>Quota exceeded</title></head><body>"
                    + "Too many users have viewed or downloaded this file recently.</body></html>\n")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
        };
    }

    private static void serve(HttpExchange ex, byte[] data, boolean ranges, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        String range = ex.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (ranges && m != null && m.matches()) {
            int from = Integer.parseInt(m.group(1));
            if (from >= data.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Range",
                    "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
            ex.sendResponseHeaders(206, data.length - from);
            ex.getResponseBody().write(data, from, data.length - from);
            return;
        }
        ex.sendResponseHeaders(200, data.length);
        ex.getResponseBody().write(data);
    }

    private static void sendStatus(HttpExchange ex, int code) throws IOException {
        byte[] body = ("status " + code).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(code, body.length);
        ex.getResponseBody().write(body);
    }
}
