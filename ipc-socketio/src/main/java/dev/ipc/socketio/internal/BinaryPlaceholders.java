package dev.ipc.socketio.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.CharsetUtil;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hands binary attachments of client events to the host as {@code byte[]}. netty-socketio 2.0.14
 * puts each attachment in its event's JSON as a base64 string in the place of its placeholder
 * ({@code {"_placeholder":true,"num":0}}), so it reaches the host as text that no one can tell from
 * a string the client sent. Before netty-socketio sees a binary event packet ({@code 45...}), each
 * placeholder is wrapped in a marker object ({@code {"\u0000bin":{...}}}, a key no client sends)
 * and the event name is prefixed with a NUL; netty-socketio then fills the marker with the base64
 * text, and {@link #unmark} turns each marker back into the bytes. Only binary event packets are
 * rewritten, and only events whose name carries the NUL are walked: plain events cost one character
 * check.
 */
public final class BinaryPlaceholders {
  /** The prefix of a marked event's name. */
  public static final char MARK = '\u0000';

  private static final String KEY = "\u0000bin";
  private static final Pattern PLACEHOLDER =
      Pattern.compile(
          "\\{\"_placeholder\":true,\"num\":(\\d+)\\}|\\{\"num\":(\\d+),\"_placeholder\":true\\}");

  private BinaryPlaceholders() {}

  /**
   * Returns whether {@code packet} is a binary event ({@code 45}), which {@link #mark} rewrites.
   */
  public static boolean isBinaryEvent(ByteBuf packet) {
    int i = packet.readerIndex();
    return packet.readableBytes() > 2 && packet.getByte(i) == '4' && packet.getByte(i + 1) == '5';
  }

  /**
   * Returns the binary event {@code packet} with its name and placeholders marked, as a new buffer.
   */
  public static ByteBuf mark(ByteBuf packet) {
    String text = packet.toString(CharsetUtil.UTF_8);
    int open = text.indexOf('[');
    if (open < 0 || open + 1 >= text.length() || text.charAt(open + 1) != '"') {
      return Unpooled.copiedBuffer(text, CharsetUtil.UTF_8); // malformed: netty-socketio refuses it
    }
    StringBuilder out = new StringBuilder(text.length() + 32);
    out.append(text, 0, open + 2).append("\\u0000");
    Matcher m = PLACEHOLDER.matcher(text);
    m.region(open + 2, text.length());
    int last = open + 2;
    while (m.find()) {
      out.append(text, last, m.start()).append("{\"\\u0000bin\":").append(m.group()).append('}');
      last = m.end();
    }
    out.append(text, last, text.length());
    return Unpooled.copiedBuffer(out, CharsetUtil.UTF_8);
  }

  /** Returns {@code args} with every marker turned into its bytes. */
  public static List<Object> unmark(List<?> args) {
    List<Object> out = new ArrayList<>(args.size());
    for (Object a : args) {
      out.add(unmarkValue(a));
    }
    return out;
  }

  private static Object unmarkValue(Object v) {
    if (v instanceof Map<?, ?> map) {
      if (map.size() == 1 && map.get(KEY) instanceof String base64) {
        return Base64.getDecoder().decode(base64);
      }
      Map<Object, Object> out = new java.util.LinkedHashMap<>();
      map.forEach((k, x) -> out.put(k, unmarkValue(x)));
      return out;
    }
    if (v instanceof List<?> list) {
      return unmark(list);
    }
    return v;
  }
}
