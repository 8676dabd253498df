package io.paymentintents.gateway.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON Lines ({@code application/x-ndjson}): one JSON object per line, each written as it arrives, so that an
 * export of any size holds one line in memory. An error after the first line can no longer become an error
 * response; the connection is then closed mid-stream, which a client sees as a truncated transfer.
 */
public final class JsonLines {

    public static final String MEDIA_TYPE = "application/x-ndjson";
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    public static void write(HttpServletResponse response, Iterator<Map<String, Object>> lines) throws IOException {
        response.setStatus(200);
        response.setContentType(MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        ServletOutputStream out = response.getOutputStream();
        while (lines.hasNext()) {
            out.write(JSON.writeValueAsBytes(lines.next()));
            out.write('\n');
        }
        out.flush();
    }

    /** A stored event's JSON, parsed so that it is embedded as an object rather than as a string. */
    public static Object parse(String json) {
        try {
            return JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored payload is not JSON", e);
        }
    }
}
