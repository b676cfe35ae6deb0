// bosbase-cpp: Typed records: pb.collection<T>(), typed realtime events, and the field reading
// and writing that bosbase-typegen's generated structs (or your own) use.
// SPDX-License-Identifier: MIT
#ifndef BOSBASE_TYPED_HPP
#define BOSBASE_TYPED_HPP

#include "services/records.hpp"
#include "services/decode.hpp"
#include "realtime/service.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace bosbase {

/// @brief A date field's value: milliseconds since 1970 (UTC), the server's precision.
using record_time = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

/// @brief A geoPoint field's value.
struct geo_point {
    double lon = 0;
    double lat = 0;
};

inline bool operator==(const geo_point& a, const geo_point& b) noexcept { return a.lon == b.lon && a.lat == b.lat; }
inline bool operator!=(const geo_point& a, const geo_point& b) noexcept { return !(a == b); }

/// @brief One realtime change of a typed collection: the action and the record, decoded.
template <class T>
struct realtime_event_of {
    std::string topic;   ///< the subscription string, options included
    std::string action;  ///< "create", "update" or "delete"
    T record;
};

/// @brief Reading and writing record fields as the server sends and takes them. The structs
/// bosbase-typegen writes call these; a hand-written record type may too.
///
/// Reading: an absent or null member leaves the value as it is (the server leaves out hidden
/// fields and, for others than the owner, an auth record's email); a member of another JSON
/// type is an error that names it (std::runtime_error; a record call turns it into
/// ClientResponseError with error_kind::invalid_response).
namespace record_io {

/// @brief The generated from_json and to_json are templates on the JSON type (bosbase::json
/// only), so that a translation unit pays for the records it converts, not for every record
/// the header declares.
template <class J>
using if_json = std::enable_if_t<std::is_same<J, json>::value, int>;

namespace detail_io {

template <class J>
[[noreturn]] void mismatch(const char* key, const char* expected, const J& got) {
    throw bosbase::detail::response_shape_error(std::string("record field '") + key + "' is not " + expected +
                                                " but " + got.type_name());
}

BOSBASE_DECL int digits(std::string_view s, std::size_t at, std::size_t n, bool& ok);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
BOSBASE_DECL std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept;

BOSBASE_DECL void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept;

}  // namespace detail_io

/// @brief Parses the server's date text, "2024-05-01 10:20:30.123Z" (also with 'T', without
/// or with fewer or more fraction digits, with or without the Z); nullopt when it is none.
BOSBASE_DECL std::optional<record_time> parse_time(std::string_view s);

/// @brief The server's own layout: "2024-05-01 10:20:30.123Z".
BOSBASE_DECL std::string format_time(record_time t);

/// @brief Throws unless `j` is a JSON object (a record).
template <class J>
void require_object(const J& j, const char* what) {
    if (!j.is_object()) {
        throw bosbase::detail::response_shape_error(std::string(what) + " record is not a JSON object but " +
                                                    j.type_name());
    }
}

template <class J>
void read_value(const J& v, const char* key, std::string& out) {
    if (!v.is_string()) detail_io::mismatch(key, "a string", v);
    out = v.template get<std::string>();
}

template <class J>
void read_value(const J& v, const char* key, bool& out) {
    if (!v.is_boolean()) detail_io::mismatch(key, "a boolean", v);
    out = v.template get<bool>();
}

template <class J>
void read_value(const J& v, const char* key, double& out) {
    if (!v.is_number()) detail_io::mismatch(key, "a number", v);
    out = v.template get<double>();
}

/// A number field with onlyInt: the server's float64 written as an integer.
template <class J>
void read_value(const J& v, const char* key, std::int64_t& out) {
    if (v.is_number_integer() &&
        !(v.is_number_unsigned() && v.template get<std::uint64_t>() > std::uint64_t(INT64_MAX))) {
        out = v.template get<std::int64_t>();
        return;
    }
    if (v.is_number_float()) {
        const double d = v.template get<double>();
        // 2^63 is the first double past INT64_MAX; the range check also rejects NaN.
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == static_cast<double>(static_cast<std::int64_t>(d))) {
            out = static_cast<std::int64_t>(d);
            return;
        }
    }
    detail_io::mismatch(key, "an integer", v);
}

template <class J>
void read_value(const J& v, const char* key, geo_point& out) {
    if (!v.is_object()) detail_io::mismatch(key, "a geo point {lon, lat}", v);
    geo_point p;
    for (const char* part : {"lon", "lat"}) {
        auto it = v.find(part);
        if (it != v.end() && !it->is_null()) {
            if (!it->is_number()) detail_io::mismatch(key, "a geo point {lon, lat} of numbers", v);
            (part[1] == 'o' ? p.lon : p.lat) = it->template get<double>();
        }
    }
    out = p;
}

/// A date: "" is no date.
template <class J>
void read_value(const J& v, const char* key, std::optional<record_time>& out) {
    if (!v.is_string()) detail_io::mismatch(key, "a date string", v);
    const std::string& s = v.template get_ref<const std::string&>();
    if (s.empty()) {
        out.reset();
        return;
    }
    out = parse_time(s);
    if (!out) {
        throw bosbase::detail::response_shape_error(std::string("record field '") + key +
                                                    "' is not a date the SDK reads: \"" + s + "\"");
    }
}

/// A select field's value: enum types with `bool from_string(std::string_view, E&)` found by ADL.
template <class J, class E, std::enable_if_t<std::is_enum<E>::value, int> = 0>
void read_value(const J& v, const char* key, E& out) {
    if (!v.is_string()) detail_io::mismatch(key, "a string", v);
    const std::string& s = v.template get_ref<const std::string&>();
    if (!from_string(std::string_view(s), out)) {
        throw bosbase::detail::response_shape_error(std::string("record field '") + key + "' has the value \"" + s +
                                                    "\", which is not among the select values it was generated "
                                                    "with (regenerate the types)");
    }
}

/// A single select: "" is no selection.
template <class J, class E, std::enable_if_t<std::is_enum<E>::value, int> = 0>
void read_value(const J& v, const char* key, std::optional<E>& out) {
    if (v.is_string() && v.template get_ref<const std::string&>().empty()) {
        out.reset();
        return;
    }
    E e{};
    read_value(v, key, e);
    out = e;
}

/// A multiple select, file or relation, or a vector (declared after the element overloads,
/// which it calls).
template <class J, class T>
void read_value(const J& v, const char* key, std::vector<T>& out) {
    if (!v.is_array()) detail_io::mismatch(key, "an array", v);
    std::vector<T> items(v.size());
    for (std::size_t i = 0; i < items.size(); ++i) read_value(v[i], key, items[i]);
    out = std::move(items);
}

/// A json field: any JSON.
template <class J>
void read_value(const J& v, const char*, J& out) {
    out = v;
}

/// @brief Reads member `key` of the record `j` into `out`; absent or null leaves `out` alone.
template <class J, class T>
void read(const J& j, const char* key, T& out) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    read_value(*it, key, out);
}

template <class J>
void write_value(J& out, const std::string& v) { out = v; }
template <class J>
void write_value(J& out, bool v) { out = v; }
template <class J>
void write_value(J& out, double v) {
    if (!std::isfinite(v)) throw std::invalid_argument("bosbase: a number field must be finite");
    out = v;
}
template <class J>
void write_value(J& out, std::int64_t v) { out = v; }
template <class J>
void write_value(J& out, const geo_point& v) {
    write_value(out["lon"], v.lon);
    write_value(out["lat"], v.lat);
}
template <class J>
void write_value(J& out, const std::optional<record_time>& v) { out = v ? format_time(*v) : std::string(); }
template <class J, class E, std::enable_if_t<std::is_enum<E>::value, int> = 0>
void write_value(J& out, E v) { out = std::string(to_string(v)); }
template <class J, class E, std::enable_if_t<std::is_enum<E>::value, int> = 0>
void write_value(J& out, const std::optional<E>& v) { out = v ? std::string(to_string(*v)) : std::string(); }
template <class J, class T>
void write_value(J& out, const std::vector<T>& v) {
    out = J::array();
    for (const auto& item : v) {
        J one;
        write_value(one, item);
        out.push_back(std::move(one));
    }
}
template <class J>
void write_value(J& out, const J& v) { out = v; }

/// @brief Sets member `key` of the body `j` to `value` as the server takes it.
template <class J, class T>
void write(J& j, const char* key, const T& value) {
    write_value(j[key], value);
}

/// @brief A write-only member (a password): sent only when set.
template <class J>
void write_if_set(J& j, const char* key, const std::optional<std::string>& value) {
    if (value) j[key] = *value;
}

}  // namespace record_io

namespace detail {

template <class T, class = void>
struct has_collection_name : std::false_type {};
template <class T>
struct has_collection_name<T, std::void_t<decltype(std::string(T::collection_name))>> : std::true_type {};

// nlohmann's json constructor takes a T only when a to_json for it exists.
template <class T>
constexpr void require_to_json() {
    static_assert(std::is_constructible<json, const T&>::value,
                  "bosbase: creating or updating records needs a to_json for the record type; the struct "
                  "bosbase-typegen writes for a view collection has none (its records cannot be written)");
}

}  // namespace detail

/// @brief pb.collection<T>(): the record calls of T's collection (T::collection_name), taking
/// and returning T. T is a struct bosbase-typegen wrote, or your own with a static
/// `collection_name` and nlohmann's from_json (and to_json for create and update). The same
/// light value as record_service, whose untyped calls untyped() gives; the exceptions are
/// record_service's, and a record that does not fit T is ClientResponseError
/// (error_kind::invalid_response).
template <class T>
class typed_collection {
    static_assert(detail::has_collection_name<T>::value,
                  "bosbase: pb.collection<T>() needs `static constexpr const char* collection_name` in T "
                  "(the structs bosbase-typegen writes have it)");

public:
    using record_type = T;

    explicit typed_collection(record_service records) : records_(std::move(records)) {}

    /// @brief The untyped service of the same collection.
    const record_service& untyped() const noexcept { return records_; }

    [[nodiscard]] T get_one(std::string_view id, const request_options& options = {}) const {
        return records_.template get_one<T>(id, options);
    }

    [[nodiscard]] list_result<T> get_list(int page = 1, int per_page = 30, const request_options& options = {}) const {
        return records_.template get_list<T>(page, per_page, options);
    }

    [[nodiscard]] std::vector<T> get_full_list(int batch = 500, const request_options& options = {}) const {
        return records_.template get_full_list<T>(batch, options);
    }

    [[nodiscard]] std::vector<T> get_full_list(const request_options& options) const {
        return records_.template get_full_list<T>(500, options);
    }

    [[nodiscard]] T get_first_list_item(std::string_view filter, const request_options& options = {}) const {
        return records_.template get_first_list_item<T>(filter, options);
    }

    [[nodiscard]] std::int64_t get_count(std::string_view filter = {}, const request_options& options = {}) const {
        return records_.get_count(filter, options);
    }

    /// @brief Creates the record from what T's to_json writes; returns it as stored.
    T create(const T& record, const request_options& options = {}) const {
        detail::require_to_json<T>();
        return records_.template create<T>(record, options);
    }

    /// @brief create with file uploads (multipart; see record_service::create_with_files).
    T create_with_files(const T& record, const file_list& files, const request_options& options = {}) const {
        detail::require_to_json<T>();
        return records_.template create_with_files<T>(record, files, options);
    }

    T update(std::string_view id, const T& record, const request_options& options = {}) const {
        detail::require_to_json<T>();
        return records_.template update<T>(id, record, options);
    }

    T update_with_files(std::string_view id, const T& record, const file_list& files,
                        const request_options& options = {}) const {
        detail::require_to_json<T>();
        return records_.template update_with_files<T>(id, record, files, options);
    }

    void remove(std::string_view id, const request_options& options = {}) const { records_.remove(id, options); }

    /// @brief Subscribes to "*" or a record id; the callback gets the record decoded as T.
    /// An event whose record does not fit T is not delivered; pb.realtime().on_error hears of it
    /// (kind invalid_response). The options' filter, expand, fields, query and headers are the
    /// subscription's.
    [[nodiscard]] subscription subscribe(const std::string& topic,
                                         std::function<void(const realtime_event_of<T>&)> callback,
                                         const request_options& options = {}) const {
        return records_.subscribe(topic, typed_callback(std::move(callback)), options);
    }

    /// The earlier spelling, the subscription's options apart (see record_service::subscribe).
    template <class Options, std::enable_if_t<std::is_same_v<Options, subscribe_options>, int> = 0>
    [[nodiscard]] subscription subscribe(const std::string& topic,
                                         std::function<void(const realtime_event_of<T>&)> callback,
                                         const Options& subscription_options,
                                         const request_options& options = {}) const {
        return records_.subscribe(topic, typed_callback(std::move(callback)), subscription_options, options);
    }

    void unsubscribe(std::string_view topic = {}) const { records_.unsubscribe(topic); }

private:
    static std::function<void(const realtime_event&)> typed_callback(
        std::function<void(const realtime_event_of<T>&)> callback) {
        if (!callback) throw std::invalid_argument("bosbase: a subscription needs a callback");
        return [callback = std::move(callback)](const realtime_event& e) {
            std::optional<realtime_event_of<T>> typed;
            try {
                typed.emplace(realtime_event_of<T>{e.topic, e.action, e.record.template get<T>()});
            } catch (const std::exception& ex) {
                throw detail::realtime_decode_error(ex.what());
            }
            callback(*typed);
        };
    }

    record_service records_;
};

}  // namespace bosbase

#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)
#include "typed.ipp"
#endif

#endif  // BOSBASE_TYPED_HPP
