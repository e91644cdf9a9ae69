"""Queries compiled once and run many times with other values.

Building a query through the ORM (filters, joins, expressions, compiling) can
cost far more than running it: the UNION behind a story's linked entities has
five filtered parts, and building it was about 40 % of an uncached story page.
:class:`PreparedQuery` builds the query twice with two sets of stand-in values,
checks that the SQL is the same and that the parameters differ exactly where
the stand-ins went, and from then on runs that SQL with the real values. When
anything does not check out (a value the query transforms, say), it runs the
ORM's query every time, so the answer is the same either way.
"""

from datetime import datetime

from django.db import connections


class PreparedQuery:
    """``build(**values)`` is a QuerySet of ``.values()`` / ``.values_list()`` rows;
    ``samples`` two dicts of stand-in values no real query uses, e.g.
    ``({"pk": -1, "now": datetime(2001, ...)}, {"pk": -2, "now": datetime(2002, ...)})``."""

    def __init__(self, build, samples):
        self.build = build
        self.samples = samples
        self._compiled = {}

    def rows(self, using="default", **values):
        """The rows as dicts (column name: value as the database driver returns it)."""
        sql, params = self._sql(using, values)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def instances(self, model, using="default", **values):
        """The rows as instances of ``model`` (a query of ``model``'s own columns)."""
        if self._compiled_for(using) is False:
            return list(self.build(**values).using(using))
        sql, params = self._sql(using, values)
        return list(model._default_manager.using(using).raw(sql, params))

    def _compiled_for(self, using):
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using) or False
        return compiled

    def _sql(self, using, values):
        compiled = self._compiled_for(using)
        if compiled is False:
            return self.build(**values).using(using).query.get_compiler(using).as_sql()
        sql, slots = compiled
        params = [value if name is None else encode(values[name]) for name, encode, value in slots]
        return sql, params

    def _compile(self, using):
        first, second = (
            self.build(**sample).using(using).query.get_compiler(using).as_sql()
            for sample in self.samples
        )
        if first[0] != second[0] or len(first[1]) != len(second[1]):
            return None
        ops = connections[using].ops
        slots = []
        for a, b in zip(first[1], second[1], strict=True):
            if a == b and not self._is_stand_in(a, ops):
                slots.append((None, None, a))
                continue
            slot = self._slot(a, b, ops)
            if slot is None:
                return None
            slots.append(slot)
        return first[0], slots

    def _encoders(self, ops):
        yield lambda value: value
        yield (
            lambda value: (
                ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value
            )
        )

    def _slot(self, a, b, ops):
        one, two = self.samples
        for name in one:
            for encode in self._encoders(ops):
                if encode(one[name]) == a and encode(two[name]) == b:
                    return name, encode, None
        return None

    def _is_stand_in(self, value, ops):
        return any(
            encode(sample[name]) == value
            for sample in self.samples
            for name in sample
            for encode in self._encoders(ops)
        )
