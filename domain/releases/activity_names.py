"""Names of the award-to-release activities (workflows refer to activities by name only)."""

RIGHTS_OPERATION = "release_rights_operation"  # an update to the film's FilmRights workflow
RENDER_RECOMMENDATION = "release_render_recommendation"  # the recommendation letter to one country
