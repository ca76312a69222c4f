#include "hvsim/conformance/limited_input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hvsim/conformance/json_reason.hpp"

namespace hvsim::conformance {
namespace {

using json = nlohmann::json;
using DomParser = nlohmann::detail::json_sax_dom_parser<json>;

std::string size_text(std::uintmax_t bytes) {
    if (bytes >= (1u << 30) && bytes % (1u << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    return std::to_string(bytes) + " bytes";
}

// nlohmann's DOM builder with a depth counter and a UTF-8 check on every text it is handed.
// Returning false stops the parser at once, before it descends further.
class LimitedSax : public DomParser {
public:
    LimitedSax(json& result, std::size_t max_nesting, bool check_text)
        : DomParser(result, false), max_(max_nesting), check_text_(check_text) {}

    bool start_object(std::size_t n) { return enter() && DomParser::start_object(n); }
    bool start_array(std::size_t n) { return enter() && DomParser::start_array(n); }
    bool end_object() {
        --depth_;
        return DomParser::end_object();
    }
    bool end_array() {
        --depth_;
        return DomParser::end_array();
    }
    bool key(std::string& s) { return text_ok(s) && DomParser::key(s); }
    bool string(std::string& s) { return text_ok(s) && DomParser::string(s); }
    bool parse_error(std::size_t position, const std::string& /*token*/, const nlohmann::detail::exception& e) {
        if (error.empty()) {
            error = json_reason(e);
            if (const auto at = error.find(": ");
                at != std::string::npos && error.find("parse error") != std::string::npos)
                error.erase(0, at + 2);
            // A number too large for a double is reported after its token: the caller finds the
            // token's start from the quoted text instead.
            byte = e.id == 406 ? 0 : position;
        }
        return false;
    }

    std::string error;
    std::size_t byte = 0;

private:
    bool enter() {
        if (++depth_ <= max_) return true;
        error = "nesting deeper than " + std::to_string(max_) + " arrays and objects";
        return false;
    }
    bool text_ok(const std::string& s) {
        if (!check_text_ || valid_utf8(s)) return true;
        error = "text that is not UTF-8: " + quote_text(s.substr(0, 40));
        return false;
    }
    std::size_t depth_ = 0, max_;
    bool check_text_;
};

// Where JSON text first opens its (max + 1)th array or object, counted as a byte position
// from 1 (0: nowhere), for the error's line and column.
std::size_t nesting_position(std::string_view text, std::size_t max) {
    std::size_t depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max) return i + 1;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return 0;
}

Parsed parse_limited(std::string_view bytes, nlohmann::json::input_format_t format, std::size_t max_nesting) {
    Parsed p;
    LimitedSax sax(p.value, max_nesting, format != json::input_format_t::json);
    bool ok = false;
    try {
        ok = json::sax_parse(bytes, &sax, format, true);
    } catch (const json::exception& e) {
        // Values nlohmann cannot hold (a number beyond a double, an array longer than memory).
        if (sax.error.empty()) sax.error = json_reason(e);
    }
    if (!ok) {
        p.error = sax.error.empty() ? "invalid input" : sax.error;
        p.byte = sax.byte;
        if (format == json::input_format_t::json && p.error.starts_with("nesting"))
            p.byte = nesting_position(bytes, max_nesting);
        p.value = json(json::value_t::discarded);
    }
    return p;
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07;
        } else {
            return false;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size()) return false;
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

std::string one_line(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        // A whole UTF-8 sequence passes as it is; anything else byte by byte.
        const std::size_t len = c < 0x80             ? 1
                                : (c & 0xE0) == 0xC0 ? 2
                                : (c & 0xF0) == 0xE0 ? 3
                                : (c & 0xF8) == 0xF0 ? 4
                                                     : 0;
        if (len > 1 && i + len <= text.size() && valid_utf8(text.substr(i, len))) {
            out.append(text.substr(i, len));
            i += len;
            continue;
        }
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
        ++i;
    }
    return out;
}

std::string quote_text(std::string_view text) {
    std::string out = "\"";
    for (const char c : one_line(text)) {
        if (c == '"') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string read_limited(const std::string& path, std::uintmax_t limit, std::string_view what) {
    const std::string expected = "; expected " + std::string(what);
    const std::string name = one_line(path);  // the path, printable
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw InputError(name + ": " + std::strerror(errno) + expected);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        throw InputError(name + ": " + std::strerror(e) + expected);
    }
    const auto refuse = [&](const std::string& why) {
        ::close(fd);
        throw InputError(name + ": " + why + expected);
    };
    if (S_ISDIR(st.st_mode)) refuse("is a directory");
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) refuse("is a device, not a file");
    if (S_ISSOCK(st.st_mode)) refuse("is a socket, not a file");
    if (S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) > limit)
        refuse("is " + size_text(static_cast<std::uintmax_t>(st.st_size)) + ", more than the " + size_text(limit) +
               " hvsim reads");
    // A pipe blocks as a pipe does; only the regular open needed O_NONBLOCK (a FIFO without writer).
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    std::string out;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) refuse(std::string("cannot be read: ") + std::strerror(errno));
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > limit) refuse("holds more than the " + size_text(limit) + " hvsim reads");
    }
    ::close(fd);
    return out;
}

Parsed parse_json_limited(std::string_view text, std::size_t max_nesting) {
    return parse_limited(text, nlohmann::json::input_format_t::json, max_nesting);
}

Parsed parse_cbor_limited(std::string_view bytes, std::size_t max_nesting) {
    return parse_limited(bytes, nlohmann::json::input_format_t::cbor, max_nesting);
}

}  // namespace hvsim::conformance
