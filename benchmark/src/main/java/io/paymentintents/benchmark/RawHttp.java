package io.paymentintents.benchmark;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The load generator's HTTP/1.1 client: persistent connections on blocking sockets, requests written as prepared
 * bytes, responses read with just enough parsing for a status and a body (Content-Length or chunked). It costs the
 * shared CPU a small fraction of what the JDK's HttpClient does per request (docs/benchmarks.md), which matters when
 * the generator, the service and PostgreSQL share two cores.
 */
final class RawHttp implements AutoCloseable {

    record Response(int status, String body) {
    }

    private final String host;
    private final int port;
    private final String authorization;
    private final int timeoutMillis;
    private final BlockingQueue<Connection> idle;

    RawHttp(String baseUrl, String secretKey, int maxConnections, int timeoutMillis) {
        java.net.URI uri = java.net.URI.create(baseUrl);
        this.host = uri.getHost();
        this.port = uri.getPort() < 0 ? 80 : uri.getPort();
        this.authorization = "Bearer " + secretKey;
        this.timeoutMillis = timeoutMillis;
        this.idle = new ArrayBlockingQueue<>(maxConnections);
    }

    Response post(String path, String form, String idempotencyKey) throws IOException {
        byte[] body = form.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\nAuthorization: ").append(authorization)
                .append("\r\nContent-Type: application/x-www-form-urlencoded\r\nUser-Agent: payment-intents-bench/1\r\n");
        if (idempotencyKey != null) {
            head.append("Idempotency-Key: ").append(idempotencyKey).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        return exchange(head.toString().getBytes(StandardCharsets.ISO_8859_1), body);
    }

    Response get(String path) throws IOException {
        String head = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: "
                + authorization + "\r\nUser-Agent: payment-intents-bench/1\r\n\r\n";
        return exchange(head.getBytes(StandardCharsets.ISO_8859_1), null);
    }

    private Response exchange(byte[] head, byte[] body) throws IOException {
        Connection connection = idle.poll();
        boolean reused = connection != null;
        if (connection == null) {
            connection = new Connection();
        }
        try {
            Response response;
            try {
                response = connection.exchange(head, body);
            } catch (IOException e) {
                connection.close();
                if (!reused) {
                    throw e;
                }
                // the server may have closed an idle connection: one fresh try
                connection = new Connection();
                response = connection.exchange(head, body);
            }
            if (connection.keepAlive) {
                if (!idle.offer(connection)) {
                    connection.close();
                }
            } else {
                connection.close();
            }
            return response;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public void close() {
        Connection connection;
        while ((connection = idle.poll()) != null) {
            connection.close();
        }
    }

    private final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private boolean keepAlive = true;

        Connection() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            in = new BufferedInputStream(socket.getInputStream(), 16_384);
            out = socket.getOutputStream();
        }

        Response exchange(byte[] head, byte[] body) throws IOException {
            if (body == null) {
                out.write(head);
            } else {
                byte[] request = new byte[head.length + body.length];
                System.arraycopy(head, 0, request, 0, head.length);
                System.arraycopy(body, 0, request, head.length, body.length);
                out.write(request);
            }
            out.flush();
            String statusLine = line();
            if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("no HTTP response: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            int length = -1;
            boolean chunked = false;
            keepAlive = true;
            String header;
            while ((header = line()) != null && !header.isEmpty()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Integer.parseInt(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    keepAlive = false;
                }
            }
            byte[] content;
            if (chunked) {
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(2048);
                while (true) {
                    String size = line();
                    if (size == null) {
                        throw new IOException("connection closed in a chunked body");
                    }
                    int semicolon = size.indexOf(';');
                    int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                    if (n == 0) {
                        String trailer;
                        while ((trailer = line()) != null && !trailer.isEmpty()) {
                            // trailers are not used
                        }
                        break;
                    }
                    all.write(in.readNBytes(n));
                    line();
                }
                content = all.toByteArray();
            } else if (length >= 0) {
                content = in.readNBytes(length);
                if (content.length < length) {
                    throw new IOException("connection closed in the body");
                }
            } else {
                content = in.readAllBytes();
                keepAlive = false;
            }
            return new Response(status, new String(content, StandardCharsets.UTF_8));
        }

        /** A header line without its CRLF, or null at the end of the stream. */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                line.append((char) c);
            }
            return line.length() == 0 ? null : line.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
