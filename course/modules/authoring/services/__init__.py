"""Authoring use-cases: save drafts safely, keep the languages in step, publish editions.

One file per use: common, alignment, saving, history, overview, publishing, images, and
questions (the quiz editor's, imported as `services.questions`).

Every save goes the same way, whichever page or tool it comes from (the lesson and quiz
editors, a restore from history, an image upload, a translator's PO file):

1. refuse it if someone else changed a unit this save changes since the editor opened
   it (the form carries each unit's fingerprint) — nothing is lost silently;
2. freeze the published course first if it is still served from the files, so a draft
   never reaches learners (the freeze is committed at once, as a publish is: see
   core/content/editions.py);
3. write each touched file atomically (core/files.py);
4. record a revision per changed unit (who, when, before, after);
5. update the alignment of the two languages: a change of substance in one language
   flags the other "needs update"; a change made to a flagged or missing text (a
   translation) puts both in step.

Services flush but never commit; the view or command commits once (freezing and
publishing an edition are the exception: their own transaction, in core).

The draft is files on one server: with several app servers, the editor works on the one
that took the editing-server row (services/editing.py) and refuses on the others.
"""

from course.modules.authoring.services.alignment import (
    Gap,
    align,
    confirm,
    confirm_unit,
    records_for,
    set_alignment,
    states,
    translation_gaps,
    unit_state,
)
from course.modules.authoring.services.common import (
    EDIT,
    IMAGE,
    IMPORT,
    MISSING,
    OK,
    OUTDATED,
    RESTORE,
    draft,
    other,
)
from course.modules.authoring.services.editing import (
    EditedElsewhere,
    Server,
    claim_editor,
    editing_server,
    release_editor,
    this_server,
)
from course.modules.authoring.services.history import (
    current_fingerprint,
    history,
    restore,
    revision,
)
from course.modules.authoring.services.images import (
    IMAGE_FORMATS,
    MAX_IMAGE_SIDE,
    ImageRefused,
    add_image,
    check_image,
)
from course.modules.authoring.services.overview import (
    ModuleState,
    changed_modules,
    modules_overview,
)
from course.modules.authoring.services.publishing import (
    PublishBlocked,
    publish,
    publish_checks,
    review_dates_needed,
)
from course.modules.authoring.services.saving import (
    LOCK_FILE,
    Author,
    Conflict,
    ConflictItem,
    Edit,
    NeutralEdit,
    SaveResult,
    content_lock,
    neutral_files,
    neutral_value,
    page_of,
    save,
    save_units,
)

__all__ = [
    "EDIT",
    "IMAGE",
    "IMAGE_FORMATS",
    "IMPORT",
    "LOCK_FILE",
    "MAX_IMAGE_SIDE",
    "MISSING",
    "OK",
    "OUTDATED",
    "RESTORE",
    "Author",
    "Conflict",
    "ConflictItem",
    "Edit",
    "EditedElsewhere",
    "Gap",
    "ImageRefused",
    "ModuleState",
    "NeutralEdit",
    "PublishBlocked",
    "SaveResult",
    "Server",
    "add_image",
    "align",
    "changed_modules",
    "check_image",
    "claim_editor",
    "confirm",
    "confirm_unit",
    "content_lock",
    "current_fingerprint",
    "draft",
    "editing_server",
    "history",
    "modules_overview",
    "neutral_files",
    "neutral_value",
    "other",
    "page_of",
    "publish",
    "publish_checks",
    "records_for",
    "release_editor",
    "restore",
    "review_dates_needed",
    "revision",
    "save",
    "save_units",
    "set_alignment",
    "states",
    "this_server",
    "translation_gaps",
    "unit_state",
]
