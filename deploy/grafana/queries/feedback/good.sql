SELECT avg(good) AS good_ratio FROM feedback WHERE $__timeFilter(timestamp)
