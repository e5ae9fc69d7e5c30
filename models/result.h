// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace Opsdeck::Models {

/// An error as a value: what went wrong, in words a person can act on.
struct Error
{
    QString message;
};

/// The outcome of a parse or a request: a value, or an Error. No exceptions cross the event loop.
template<typename T>
class Result
{
public:
    Result(T value)
        : m_data(std::move(value))
    {}

    Result(Error error)
        : m_data(std::move(error))
    {}

    static Result failure(QString message) { return Result(Error{std::move(message)}); }

    bool ok() const { return std::holds_alternative<T>(m_data); }

    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_data); }

    T &value() & { return std::get<T>(m_data); }

    T &&value() && { return std::get<T>(std::move(m_data)); }

    const QString &error() const { return std::get<Error>(m_data).message; }

private:
    std::variant<T, Error> m_data;
};

} // namespace Opsdeck::Models
