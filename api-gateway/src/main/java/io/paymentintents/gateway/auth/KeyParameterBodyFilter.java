package io.paymentintents.gateway.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Stripe.js sends the publishable key as the {@code key} parameter of its form body, not in a header. So that the
 * authentication interceptor can read it before the controller reads the same body, the body of a POST under
 * {@code /v1/} without an {@code Authorization} header is read here (up to the size limit) and replayed, byte for
 * byte, to whoever reads the request next. Requests with the header pass untouched.
 */
public class KeyParameterBodyFilter extends OncePerRequestFilter {

    private final int maxBodyBytes;

    public KeyParameterBodyFilter(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || request.getHeader("Authorization") != null
                || !request.getRequestURI().startsWith(request.getContextPath() + "/v1/")
                || request.getContentLengthLong() > maxBodyBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(new BufferedBodyRequest(request, maxBodyBytes), response);
    }

    /** A request whose first bytes (at most the limit and one more) were read ahead and are served again. */
    public static final class BufferedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] head;
        private final int maxBodyBytes;

        BufferedBodyRequest(HttpServletRequest request, int maxBodyBytes) throws IOException {
            super(request);
            this.maxBodyBytes = maxBodyBytes;
            this.head = request.getInputStream().readNBytes(maxBodyBytes + 1);
        }

        /** The whole body, or empty when it is larger than the limit (the controller will answer 413). */
        public byte[] body() {
            return head.length > maxBodyBytes ? new byte[0] : Arrays.copyOf(head, head.length);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            InputStream replay = new SequenceInputStream(new ByteArrayInputStream(head), super.getInputStream());
            return new ServletInputStream() {
                private boolean finished;

                @Override
                public int read() throws IOException {
                    int b = replay.read();
                    finished = b < 0;
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = replay.read(buffer, offset, length);
                    finished = n < 0;
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return finished;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                /** The body is already in memory: all of it is available at once. */
                @Override
                public void setReadListener(ReadListener listener) {
                    try {
                        if (!finished) {
                            listener.onDataAvailable();
                        }
                        listener.onAllDataRead();
                    } catch (IOException e) {
                        listener.onError(e);
                    }
                }
            };
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }
}
