import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.security.auth.x500.X500Principal;

/**
 * Prints X500Principal.getName(), the RFC 2253 form Kafka maps to principals,
 * of each DER-encoded name given in hex, one per line, as the hex of its UTF-8
 * bytes so that no character of a name can be lost on the way.
 */
public class X500Names {
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "US-ASCII");
        for (String hex : args) {
            String name = new X500Principal(HexFormat.of().parseHex(hex)).getName();
            out.println(HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
