SELECT count() AS feedback FROM feedback WHERE $__timeFilter(timestamp)
