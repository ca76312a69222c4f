// The fast record reader: one pass over the bytes, no allocation, no DOM. It only accepts what
// the writer produces; the DOM reader handles (and explains) everything else.
#include <cstring>

#include "hvcall/catalogue.hpp"
#include "record_fields.hpp"

namespace hvsim::traces::detail {

namespace {

enum class Key : unsigned {
    at,
    call,
    control,
    form,
    in_ids,
    input,
    out_ids,
    output,
    output_size,
    reps,
    result,
    status
};
constexpr unsigned bit(Key k) { return 1u << static_cast<unsigned>(k); }
constexpr unsigned kRequired = bit(Key::call) | bit(Key::control) | bit(Key::form) | bit(Key::input) |
                               bit(Key::output) | bit(Key::output_size) | bit(Key::reps) | bit(Key::result) |
                               bit(Key::status);

std::optional<Key> key_of(std::string_view k) {
    static constexpr std::pair<std::string_view, Key> keys[] = {
        {"at", Key::at},         {"call", Key::call},     {"control", Key::control},         {"form", Key::form},
        {"in_ids", Key::in_ids}, {"input", Key::input},   {"out_ids", Key::out_ids},         {"output", Key::output},
        {"reps", Key::reps},     {"result", Key::result}, {"output_size", Key::output_size}, {"status", Key::status}};
    for (const auto& [name, key] : keys)
        if (name == k) return key;
    return std::nullopt;
}

// JSON Lines: hex strings for words, hex digit strings for bytes.
class JsonCursor {
public:
    explicit JsonCursor(std::string_view s) : s_(s) {}

    template <class Member>
    bool object(Member&& member) {
        if (!eat('{')) return false;
        do {
            std::string_view key;
            if (!text(key) || !eat(':') || !member(key)) return false;
        } while (eat(','));
        return eat('}');
    }
    bool done() {
        skip_space();
        return i_ == s_.size();
    }
    bool text(std::string_view& out) {
        if (!eat('"')) return false;
        const std::size_t start = i_;
        for (; i_ < s_.size(); ++i_) {
            const auto ch = static_cast<unsigned char>(s_[i_]);
            if (ch == '"') break;
            if (ch == '\\' || ch < 0x20 || ch >= 0x80) return false;  // escapes and UTF-8: the DOM reader's
        }
        if (i_ == s_.size()) return false;
        out = s_.substr(start, i_++ - start);
        return true;
    }
    bool blob(std::string_view& out) { return text(out); }
    bool word(std::uint64_t& out) {
        std::string_view t;
        if (!text(t)) return false;
        const auto v = parse_hex64(t);
        if (v) out = *v;
        return v.has_value();
    }
    bool count(std::uint64_t& out) {
        skip_space();
        const std::size_t start = i_;
        out = 0;
        for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; ++i_) {
            if (out > (~0ull - 9) / 10) return false;
            out = out * 10 + static_cast<std::uint64_t>(s_[i_] - '0');
        }
        const bool leading_zero = i_ - start > 1 && s_[start] == '0';
        const bool fraction = i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E');
        return i_ > start && !leading_zero && !fraction;
    }
    template <class Element>
    bool list(Element&& element) {
        if (!eat('[')) return false;
        if (eat(']')) return true;
        do {
            if (!element()) return false;
        } while (eat(','));
        return eat(']');
    }

private:
    void skip_space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
    }
    bool eat(char ch) {
        skip_space();
        if (i_ < s_.size() && s_[i_] == ch) return ++i_, true;
        return false;
    }
    std::string_view s_;
    std::size_t i_ = 0;
};

// CBOR (RFC 8949) as nlohmann::json writes it: definite lengths only.
class CborCursor {
public:
    explicit CborCursor(std::string_view s) : s_(s) {}

    template <class Member>
    bool object(Member&& member) {
        std::uint64_t n = 0;
        if (!head(kMap, n)) return false;
        for (std::uint64_t k = 0; k < n; ++k) {
            std::string_view key;
            if (!text(key) || !member(key)) return false;
        }
        return true;
    }
    bool done() const { return i_ == s_.size(); }
    bool text(std::string_view& out) { return string(kText, out); }
    bool blob(std::string_view& out) { return string(kBytes, out); }
    bool word(std::uint64_t& out) { return head(kUnsigned, out); }
    bool count(std::uint64_t& out) { return head(kUnsigned, out); }
    template <class Element>
    bool list(Element&& element) {
        std::uint64_t n = 0;
        if (!head(kArray, n)) return false;
        for (std::uint64_t k = 0; k < n; ++k)
            if (!element()) return false;
        return true;
    }

private:
    static constexpr unsigned kUnsigned = 0, kBytes = 2, kText = 3, kArray = 4, kMap = 5;

    bool head(unsigned major, std::uint64_t& arg) {
        if (i_ >= s_.size()) return false;
        const auto initial = static_cast<unsigned char>(s_[i_++]);
        if ((initial >> 5) != major) return false;
        const unsigned info = initial & 31u;
        if (info < 24) return arg = info, true;
        if (info > 27) return false;  // indefinite lengths and reserved values
        const std::size_t n = std::size_t{1} << (info - 24);
        if (s_.size() - i_ < n) return false;
        arg = 0;
        for (std::size_t k = 0; k < n; ++k) arg = (arg << 8) | static_cast<unsigned char>(s_[i_++]);
        return true;
    }
    bool string(unsigned major, std::string_view& out) {
        std::uint64_t n = 0;
        if (!head(major, n) || s_.size() - i_ < n) return false;
        out = s_.substr(i_, n);
        i_ += n;
        return true;
    }
    std::string_view s_;
    std::size_t i_ = 0;
};

template <class Cursor>
bool ids(Cursor& c, IdTexts& out) {
    out.count = 0;
    return c.list([&] { return out.count < out.text.size() && c.text(out.text[out.count++]); });
}

template <class Cursor>
bool placement(Cursor& c, std::optional<Placement>& out) {
    std::uint64_t words[2];
    std::size_t n = 0;
    if (!c.list([&] { return n < 2 && c.word(words[n++]); }) || n != 2) return false;
    out = Placement{words[0], words[1]};
    return true;
}

template <class Cursor>
bool scan(Cursor c, RecordFields& t) {
    unsigned seen = 0;
    t.at.reset();
    t.in_ids.count = t.out_ids.count = 0;
    const bool ok = c.object([&](std::string_view name) {
        const auto key = key_of(name);
        if (!key || (seen & bit(*key)) != 0) return false;  // a duplicate key: the DOM reader's call
        seen |= bit(*key);
        switch (*key) {
            case Key::at:
                return placement(c, t.at);
            case Key::call:
                return c.text(t.call);
            case Key::control:
                return c.word(t.control);
            case Key::form:
                return c.text(t.form);
            case Key::in_ids:
                return ids(c, t.in_ids);
            case Key::input:
                return c.blob(t.input);
            case Key::out_ids:
                return ids(c, t.out_ids);
            case Key::output:
                return c.blob(t.output);
            case Key::output_size:
                return c.count(t.output_size) && t.output_size <= hvcall::kPageSize;
            case Key::reps:
                return c.count(t.reps) && t.reps <= 0xFFF;
            case Key::result:
                return c.word(t.result);
            case Key::status:
                return c.text(t.status);
        }
        return false;
    });
    return ok && c.done() && (seen & kRequired) == kRequired;
}

}  // namespace

bool scan_jsonl(std::string_view line, RecordFields& t) { return scan(JsonCursor(line), t); }
bool scan_cbor(std::string_view frame, RecordFields& t) { return scan(CborCursor(frame), t); }

std::optional<std::uint64_t> parse_hex64(std::string_view s) {
    if (s.size() < 3 || s.size() > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
    std::uint64_t v = 0;
    for (char ch : s.substr(2)) {
        const int d = hex_digit(ch);
        if (d < 0) return std::nullopt;
        v = (v << 4) | static_cast<std::uint64_t>(d);
    }
    return v;
}

int hex_digit(char ch) noexcept {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

}  // namespace hvsim::traces::detail
