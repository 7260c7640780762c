#include "base/datetime.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace ot {
namespace {

std::optional<int64_t> parse_relative(std::string_view s) {
  long n = 0;
  char unit[16] = {0};
  char ago[8] = {0};
  std::string text(s);
  if (std::sscanf(text.c_str(), "%ld %15s %7s", &n, unit, ago) != 3 || std::string(ago) != "ago") return std::nullopt;
  std::string u(unit);
  if (!u.empty() && u.back() == 's') u.pop_back();
  int64_t mult = u == "second" ? 1 : u == "minute" ? 60 : u == "hour" ? 3600 : u == "day" ? 86400
               : u == "week" ? 604800 : 0;
  if (!mult) return std::nullopt;
  return static_cast<int64_t>(std::time(nullptr)) - n * mult;
}

}  // namespace

std::optional<int64_t> parse_timestamp(std::string_view text) {
  std::string s(text);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.empty()) return std::nullopt;
  if (s[0] == '@') {
    char* end = nullptr;
    long long v = std::strtoll(s.c_str() + 1, &end, 10);
    if (end == s.c_str() + 1 || *end) return std::nullopt;
    return v;
  }
  if (auto r = parse_relative(s)) return r;

  struct tm tm {};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3)
    return std::nullopt;
  size_t pos = consumed;
  if (pos < s.size() && (s[pos] == ' ' || s[pos] == 'T')) {
    int c2 = 0;
    if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &c2) != 2) return std::nullopt;
    pos += 1 + c2;
    if (pos < s.size() && s[pos] == ':') {
      int c3 = 0;
      if (std::sscanf(s.c_str() + pos + 1, "%2d%n", &tm.tm_sec, &c3) != 1) return std::nullopt;
      pos += 1 + c3;
    }
  }
  while (pos < s.size() && s[pos] == ' ') pos++;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::string zone = s.substr(pos);
  if (zone.empty()) {
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm));
  }
  int64_t base = static_cast<int64_t>(timegm(&tm));
  if (zone == "Z" || zone == "UTC" || zone == "GMT") return base;
  if (zone[0] == '+' || zone[0] == '-') {
    int hh = 0, mm = 0;
    std::string digits;
    for (char c : zone.substr(1))
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
      else if (c != ':') return std::nullopt;
    if (digits.size() != 4 && digits.size() != 2) return std::nullopt;
    hh = std::stoi(digits.substr(0, 2));
    if (digits.size() == 4) mm = std::stoi(digits.substr(2));
    int64_t off = hh * 3600 + mm * 60;
    return zone[0] == '+' ? base - off : base + off;
  }
  return std::nullopt;
}

std::string format_timestamp_utc(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace ot
