"""The cleaning policy, as data: what the cleaner drops, keeps and rewrites.

Review this file to know what ``feedsvc.clean`` does to an article without
reading any logic. Each section names the stage whose lists it holds;
block elements are every stage's. Class/id fragments are matched (by
``feedsvc.clean.dom.class_signal``) against the words of an element's
``class`` and ``id`` (split on anything that is not a letter or digit, and
on camelCase), so ``"share"`` matches ``post-share-bar`` and ``shareBox``
but ``"ad"`` does not match ``header``.

Data only; the bottom of ``feedsvc.clean``: it imports nothing from the
package, and every module in it may import it.
"""

from __future__ import annotations

import re

__all__ = [
    "AD_IMAGE",
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "APPEAL_CUES",
    "APPEAL_CUE_TABLE",
    "APPEAL_FOLLOW_CUES",
    "APPEAL_GIFT_CUES",
    "APPEAL_MAX_CHARS",
    "APPEAL_PRICE_CUES",
    "APPEAL_STEMS",
    "AUDIO_LINK_LABEL",
    "AUTHOR_HREF",
    "AUTHOR_PHOTO_BOX",
    "AUTHOR_PHOTO_BOX_TEXT_MAX",
    "AUTHOR_PHOTO_DEPTH",
    "BADGE_IMAGE",
    "BADGE_IMAGE_MAX",
    "BIO_LABEL",
    "BIO_START",
    "BLOCK_TAGS",
    "BOILERPLATE_LINE",
    "BOILERPLATE_PAIRS",
    "BOILERPLATE_WORDS",
    "BUTTON_WORDS",
    "BYLINE_LEAD_IN",
    "CALL_TO_ACTION",
    "CAPTION_CREDIT",
    "CAPTION_CREDIT_SLASH_MAX_WORDS",
    "CAPTION_FIGURE_MAX_OTHER_CHARS",
    "CAPTION_MIN_WORDS",
    "CHROME_LINE",
    "COMMENT_CONTROL",
    "COMMENT_DATE",
    "COMMENT_HEADING",
    "COMMENT_HREF",
    "CONTENTS_LABEL",
    "CONTENTS_TITLE",
    "CONTENT_WORDS",
    "CONTRIBUTOR_ROLE",
    "CONTROL_IMAGE_MAX",
    "CONTROL_IMAGE_NAME",
    "COOKIE_CUE",
    "COOKIE_CUE_KEYS",
    "COPYRIGHT_LINE",
    "CTA_IMAGE_ALT",
    "CTA_IMAGE_LINK",
    "CTA_IMAGE_SRC",
    "CTA_LINE",
    "DISCLAIMER",
    "DISCLAIMER_KEYS",
    "DISCLOSURE",
    "DISCLOSURE_KEYS",
    "DOUBT_DESCRIPTION_MIN_SHARE",
    "DOUBT_DESCRIPTION_MIN_WORDS",
    "DOUBT_OUTSIDE_SHARE",
    "DOUBT_PAGE_MIN_CHARS",
    "DOUBT_SCORED_MIN_CHARS",
    "DOUBT_SCORER_REMOVED_SHARE",
    "DOUBT_SHORT_SHARE",
    "DOUBT_TEASER_MAX_EXCERPT",
    "DOUBT_TEASER_MIN_CARDS",
    "DOUBT_TEASER_SHARE",
    "DROP_IF_THIN_TAGS",
    "DROP_TAGS",
    "DROP_UNLESS_PROSE_TAGS",
    "EMBED_HOSTS",
    "EMBED_TAGS",
    "FILE_NAME_ALT",
    "GALLERY_NAME",
    "GREETING_BIO",
    "ICON_GLYPHS",
    "INLINE_TAGS",
    "INVISIBLE_CHARS",
    "ITEM_KEPT_SHARE",
    "ITEM_MIN_SIBLINGS",
    "LATIN_WORDS",
    "LAZY_SRCSET_ATTRS",
    "LAZY_SRC_ATTRS",
    "LINKED_ITEMS_MAX_DENSITY",
    "LINKED_ITEM_TAGS",
    "LINK_DENSITY_MAX",
    "MARKUP_TEXT",
    "META_LINE",
    "PLACEHOLDER_ALT",
    "PLACEHOLDER_SRC",
    "PLACEHOLDER_START",
    "PLAYER_LABEL",
    "PLAYER_LINK_LABELS",
    "PLAYER_TITLE",
    "PREV_NEXT",
    "PREV_NEXT_KEYS",
    "PROMO_LABEL",
    "PROMPT_CUE",
    "PROMPT_CUE_KEYS",
    "RAW_TEXT_TAGS",
    "RELATED_HEADING",
    "SENTENCE_TAGS",
    "SENTENCE_WORDS_AFTER",
    "SENTENCE_WORDS_BEFORE",
    "SITE_TRACKING_PARAMS",
    "SLIDE_COUNTER",
    "SLUG_ALT",
    "SLUG_TAIL",
    "SOCIAL_POST_CLASSES",
    "SOCIAL_POST_HOSTS",
    "SOCIAL_POST_URL_ATTRS",
    "SQUARE_IMAGE_MAX",
    "TAG_LINE",
    "TEMPLATE_IMAGE",
    "TEMPLATE_PLACEHOLDER_TEXT",
    "TEMPLATE_TOKEN_TEXT",
    "TINY_IMAGE_MAX",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "UNSEEN_CLASS_WORDS",
    "UNSHOWN_TAGS",
    "UPDATED_LINE",
    "URL_SCHEMES",
    "VIDEO_LINK_LABEL",
    "VOID_KEEP",
]

# --- every stage: block elements -----------------------------------------

# Block-level tags: a wrapper <div> with its own text becomes a <p>, and
# text is read one line per block.
BLOCK_TAGS = frozenset(
    """
    address article aside blockquote dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table
    tbody td tfoot th thead tr ul center
    """.split()
)

# --- stage 2, tree pruning: elements removed with everything inside -------

# Never article text. (iframe/embed/object/video are kept until stage 4,
# which turns known embeds into links and drops the rest.) <noembed> and
# <noframes> hold raw text that browsers never show (display: none in the
# HTML standard's rendering rules, section "Hidden elements"): kept, their
# text was escaped twice on its way out ("&amp;lt;b&amp;gt;").
DROP_TAGS = frozenset(
    """
    script style noscript noembed noframes template svg canvas map area link meta head title base
    button input select option optgroup textarea label datalist output progress meter
    dialog menu nav aside footer
    """.split()
)
# Of DROP_TAGS, those that only say what an element is meant for: one that
# holds much of the page's paragraph text is kept (an unclosed <aside> in
# the page's source can swallow the article that follows it).
DROP_UNLESS_PROSE_TAGS = frozenset({"dialog", "menu", "nav", "aside", "footer"})

# Removed only when they hold little paragraph text (some CMSs wrap the
# whole page in a <form>, some put the standfirst in a <header>).
DROP_IF_THIN_TAGS = frozenset({"form", "header", "fieldset"})

# Words of a sentence are not furniture for their class or id
# (``feedsvc.clean.extract`` rule ``words_in_sentence``): a link classed for
# what it opens (``<a class="popup">avocations</a>``, ``a.popup-iframe``
# "online", ``a.product-modal``) or a text-level element, with at least
# SENTENCE_WORDS_BEFORE words of its line before it and SENTENCE_WORDS_AFTER
# after it that are not link text (a row of links is no sentence), stays.
# Not <span> or <font>: the generic boxes that also hold a tooltip's or a
# popup's own hidden text. A line ends at a block or a <br>.
SENTENCE_TAGS = frozenset(
    "a abbr b bdi cite code data dfn em i kbd mark q s samp small strong sub sup time u var".split()
)
SENTENCE_WORDS_BEFORE = 3
SENTENCE_WORDS_AFTER = 2
# Class words that hide an element from sight (a label for screen readers
# only, nytimes' "Credit" inside a caption): such words still go, sentence
# or not.
UNSEEN_CLASS_WORDS = frozenset("screen-reader-text sr-only visually-hidden visuallyhidden".split())

# Reader comments told by their shape, not their class words
# (``feedsvc.clean.extract.remove_comment_shapes``): sites with hashed or
# utility classes name nothing. A comment is dated (a ``<time>``, a
# ``datetime`` attribute, or a line that is a date or a relative time)
# and carries a reply or report control or a permalink to itself. A
# relative time alone is no cue: a live blog's entries say "5 min ago".
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
COMMENT_DATE = re.compile(
    r"(?:\b\d+|\ban?|\bone)\s*(?:sec|second|min|minute|hr|hour|day|week|wk|month|mo|year|yr)s?\.?\s+ago\b"
    r"|\bvor\s+(?:\d+|einem|einer)\s+(?:sekunde|minute|stunde|tag|woche|monat|jahr)"
    r"|\bil y a\s+(?:\d+|un|une)\s+(?:seconde|minute|heure|jour|semaine|mois|an)"
    r"|\bhace\s+(?:\d+|un|una)\s+(?:segundo|minuto|hora|d[ií]a|semana|mes|año)"
    r"|\bhá\s+(?:\d+|um|uma)\s+(?:segundo|minuto|hora|dia|semana|m[eê]s|ano)"
    r"|\d+\s*(?:秒|分钟|分鐘|分|小时|小時|時間|天|日|周|週間?|个月|個月|か月|ヶ月|年)前"
    r"|\d+\s+(?:секунд|минут|час|дн|день|недел|месяц|год|лет)\w*\s+назад"
    r"|\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b|\b\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}\b"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日",
    re.IGNORECASE,
)
# The whole text of a control under a reader comment.
COMMENT_CONTROL = re.compile(
    r"\W*(?:reply|reply to (?:this )?comment|reply to [\w .'-]{1,40}|report(?: (?:this )?comment)?|flag|like|quote"
    r"|antworten|melden|répondre|signaler|responder|denunciar|rispondi|segnala|beantwoorden|reageer|odpovědět"
    r"|ответить|回复|回覆|返信|답글|svara|odpowiedz|yanıtla)\W*",
    re.IGNORECASE,
)
# A link to a comment itself or to the form answering it.
COMMENT_HREF = re.compile(r"[?&]replytocom=|#comment-?\d", re.IGNORECASE)
# The heading over a comment thread ("109 Comments", "There are 13 comments",
# "3 thoughts on …", "Reader Interactions"), its whole text.
COMMENT_HEADING = re.compile(
    r"\W*(?:(?:there (?:are|is) )?\d*\s*(?:comments?|responses?|replies|reactions|discussion)\W*\d*"
    r"|\d+\s+thoughts? on\b.{0,150}|reader interactions|leave a (?:comment|reply)|join the discussion"
    r"|kommentare?|commentaires?|comentarios?|commenti|reacties|komentáře|комментари\w*|评论|留言|コメント)\W*\d*\W*",
    re.IGNORECASE,
)

# --- stages 2 and 3: class/id signals ------------------------------------

# A class/id word equal to one of these marks page furniture. Matched as
# whole words after splitting, so short words are safe here.
BOILERPLATE_WORDS = frozenset(
    """
    ad ads adv advert adverts advertisement advertising adsbygoogle sponsor sponsored
    banner breadcrumb breadcrumbs byline cookie cookies consent gdpr
    comment comments commentlist disqus respond
    share shares sharing social sociallinks socials sharedaddy sharebar
    related recommended recirculation outbrain taboola trending popular
    newsletter subscribe subscription signup paywall regwall
    donate donation donations appeal membership support-us
    promo promotion promoted upsell
    nav navbar navigation menu submenu masthead sidebar widget-area
    footer colophon pagination pager
    tags tagcloud taglist tag-list categories
    author-bio authorbox author-box about-author bio
    print email-signup modal popup overlay lightbox toolbar
    skip-link skiplink screen-reader-text sr-only visually-hidden visuallyhidden
    jp-relatedposts yarpp addtoany addthis
    """.split()
)

# Runs of two or three words (joined with "-") that also mark furniture:
# "read-more", "post-meta" and the like, where each word alone is harmless.
BOILERPLATE_PAIRS = frozenset(
    """
    read-more more-stories more-articles you-may-also-like also-like post-meta entry-meta
    article-meta meta-data post-footer entry-footer article-footer post-tags entry-tags
    article-tags post-navigation post-nav site-header site-footer page-header
    author-info author-details author-card about-the-author story-meta
    further-reading keep-reading most-read most-popular editors-picks
    """.split()
)

# A class/id word equal to one of these marks the article body. It protects
# an element from the furniture words above ("entry-content has-sidebar")
# and raises its score in stage 2.
CONTENT_WORDS = frozenset(
    """
    article articlebody article-body articlecontent body content entry entry-content
    main post post-content postbody post-body story story-body storycontent text
    rich-text richtext prose blog-post single-post
    """.split()
)

# --- stage 3: boilerplate blocks inside the article ----------------------

# The cues that only name a price (see APPEAL_PRICE_CUES).
_PRICE_CUE_SOURCES = (
    (("little as",), r"\bas little as [$£€]"),
    (("month", "year"), r"[$£€]\s?\d+(?:\.\d\d)? (?:a|per) (?:month|year)\b"),
)

# The cues that ask for a gift to keep the site's own cause going, in words that name no donation or
# membership (see APPEAL_GIFT_CUES).
_GIFT_CUE_SOURCES = (
    # "support this webcam", "… this podcast": what the reader is asked to keep going is the page's own thing
    (("support this",), r"\bsupport this (?:webcam|site|blog|podcast|newsletter|channel|journalism)\b"),
    # "by making a gift to Yosemite Conservancy", "make a tax-deductible gift today": a gift to somebody named (a
    # capital even under IGNORECASE, "the" before it or not), to us, or now; "making a gift for mum" is a craft
    (
        ("gift",),
        (
            r"\b(?:make|making) a (?:tax[- ]deductible |one[- ]time |monthly |recurring |special |year-end )?gift"
            r" (?:today|now|online|to (?:us\b|our\b|(?:the )?(?-i:[A-Z])\w*))"
        ),
    ),
    # "your gift helps", "your subscription supports my research and writing"
    (
        ("your gift", "your donation", "your contribution", "your subscription", "your membership"),
        (
            r"\byour (?:gift|donation|contribution|subscription|membership)s? (?:today |now )?(?:helps?|keeps?|supports?"
            r"|funds?|makes? (?:this|our|it) possible)\b"
        ),
    ),
)

# The social sites a reader is asked to follow the writer or the site on.
_SOCIAL_SITES = (
    r"(?:social media|instagram|facebook|twitter|x|tiktok|pinterest|youtube|linkedin|threads|bluesky|mastodon)"
)

# The cues that ask the reader to follow the writer or the site elsewhere, or to sign up in a form the
# page had (see APPEAL_FOLLOW_CUES): "Let's hang out on Instagram!", "be sure to follow me on social media".
_FOLLOW_CUE_SOURCES = (
    # "us" or "me": the page's own accounts ("fans were told to follow her on Instagram" is a story's)
    (("follow",), rf"\bfollow (?:us|me)(?: on| at)? {_SOCIAL_SITES}\b"),
    (("hang out", "connect", "friends"), rf"\blet['’]?s (?:hang out|connect|be friends) on {_SOCIAL_SITES}\b"),
    # the form below it was the page's, and is gone
    (("sign up below",), r"\bsign up below\b"),
)

_APPEAL_CUE_SOURCES = (
    # (lower-case words every match contains, the cue)
    *_GIFT_CUE_SOURCES,
    *_FOLLOW_CUE_SOURCES,
    (
        ("support",),
        # "us" and "our ..." end at a word ("PiP support usage" is no appeal), and the named
        # outlet starts with a capital even under IGNORECASE ("support the migration!" names none).
        r"\bsupport (?:us\b|our (?:work|journalism|mission|reporting|newsroom|nonprofit|non-profit)\b|(?-i:[A-Z])[\w.]+ ?[\w.]*!)",
    ),
    (("can support", "can help"), r"\b(?:you|we) can (?:support|help) (?:us|our)"),
    (("support",), r"\bsupport (?:independent|quality|nonprofit|non-profit) (?:journalism|media|news|reporting)"),
    (("becom",), r"\bbecom(?:e|ing) a (?:member|patron|supporter|subscriber|donor|friend of)"),
    (
        ("donation",),
        r"\b(?:make|your) (?:a )?(?:one-off |monthly |recurring |tax-deductible )?(?:or monthly )?donations?\b",
    ),
    (("donate",), r"\bdonate (?:now|today|via|to us|here)\b"),
    (("donating",), r"\bdonating\b"),
    (("donation",), r"\bdouble (?:my|your) donation"),
    (("funded by",), r"\bfunded by (?:readers|our readers|people like you|you)\b"),
    (("readers like you",), r"\breaders like you\b"),
    # "to help us keep bringing you the kind of music …": a publication asking to be kept going
    (
        ("help us",),
        r"\bhelp us (?:to )?keep (?:bringing you|publishing|producing|reporting|writing|creating|going|doing this)\b",
    ),
    *_PRICE_CUE_SOURCES,
    (("newsletter",), r"\bsign (?:up|me up) (?:for|to) (?:our|the) (?:\w+ )?newsletters?"),
    (("subscribe",), r"\bsubscribe (?:to|for) (?:our|the) (?:\w+ )?(?:newsletters?|updates|mailing list)"),
    (("join",), r"\bjoin (?:our|the) (?:newsletter|mailing list|community|membership)"),
    (
        ("like this", "enjoy", "like our", "like free"),
        r"\b(?:like|enjoy(?:ed)?) (?:this|free|our) (?:content|article|post|story|journalism)\b.{0,40}\b(?:subscribe|support|share|donate)",
    ),
    (("consider",), r"\bconsider (?:liking|sharing|subscribing|supporting|donating|becoming|making)"),
    (("rely on", "depend on"), r"\bwe (?:rely|depend) on (?:readers|our readers|your support|donations|you)\b"),
    (
        ("free", "open", "independent"),
        r"\b(?:keep|keeping) (?:our )?(?:journalism|reporting|content|resources) (?:free|open|independent)",
    ),
    (("love alone",), r"\bcannot run [\w ]{1,60} on love alone"),
    (("journalism is expensive",), r"\bjournalism is expensive\b"),
    (("patreon",), r"\bpatreon\b"),
    (("coffee",), r"\bbuy (?:me|us) a coffee\b"),
    (("fund this",), r"\bfund this (?:blog|site|work)\b"),
    (("chip",), r"\bchip(?:ping)? in\b"),
    (("to ask",), r"\b(?:a )?small favou?r to ask\b"),
    (("you give", "you donate"), r"\b(?:every|each) (?:dollar|pound|euro|gift|donation) you (?:give|donate)"),
    (("please consider",), r"\bplease consider (?:pitching in|giving|donating|supporting|a donation|a gift|making a)"),
    (("pitching in",), r"\bpitching in what you can\b"),
    (
        ("campaign", "fundraising", "fund drive", "appeal"),
        r"\b(?:end-of-year|year-end|spring|annual) (?:campaign|fundraising|fund drive|appeal)\b",
    ),
    (("newsletter",), r"(?:^|[.!?]\s+)(?:sign up|subscribe) (?:for|to) [\w' ]{0,60}\bnewsletters?\b"),
    (("free and",), r"\b(?:stay|stays|remain|remains) free and (?:accessible|open|independent)\b"),
    # newsletters and paywalls
    (("to your inbox",), r"\bdelivered (?:directly |straight |right )?to your inbox\b"),
    (("forwarded to you",), r"\bwas this (?:newsletter|email|post) forwarded to you\b"),
    (
        ("subscribers",),
        r"\b(?:article|story|piece|post|content) is (?:only )?(?:exclusive|available) (?:only )?(?:to|for) (?:[\w+]+ ){0,3}subscribers\b",
    ),
    # "a playlist exclusive to our subscribers": the reader is told what membership gives ("our" speaks to them; a
    # news story's "exclusive to Premium subscribers" names somebody else's)
    (("exclusive",), r"\bexclusive (?:to|for) our (?:[\w-]+ )?(?:subscribers|members|patrons|supporters)\b"),
    (("unlock",), r"\bunlock (?:this|the full|the rest of this) (?:article|story|piece|post|content)\b"),
    (
        ("subscribe", "sign up", "log in", "become"),
        r"\bto (?:read|continue reading|keep reading) (?:the rest of )?this (?:story|article|piece|post),? (?:please )?(?:subscribe|sign up|log in|become)",
    ),
    (("already",), r"\balready (?:a subscriber|a member|have an account)\?\s*(?:log|sign) in\b"),
    (("paid",), r"\bbecome a paid (?:subscriber|member)\b"),
    (("subscribe",), r"\bsubscribe (?:now )?to (?:read|continue|unlock|get full access)\b"),
)

# Phrases that speak to the reader to ask for money, a subscription or a
# sign-up, each with the lower-case words any match contains (a cue is only
# searched for in text that holds one of them). A block is an appeal when
# it holds two distinct cues, or one cue and is short; a news paragraph
# that only mentions a newsletter or a donation holds none of these
# phrasings.
APPEAL_CUE_TABLE = tuple((keys, re.compile(p, re.IGNORECASE)) for keys, p in _APPEAL_CUE_SOURCES)
APPEAL_CUES = tuple(cue for _, cue in APPEAL_CUE_TABLE)

# The cues above that only name a price ("as little as $10", "$5 a month"). An
# appeal names one ("support us for as little as $1 a month"), but so does a
# guide's own paragraph on what things cost ("instructors may charge as little
# as $10-$20 an hour", "from as little as $10 to as much as $200 per month"):
# alone they ask nothing, so they count only beside a cue that asks
# (boilerplate's `price_with_ask`).
APPEAL_PRICE_CUES = frozenset(
    cue for _, cue in APPEAL_CUE_TABLE if cue.pattern in {source for _, source in _PRICE_CUE_SOURCES}
)

# The cues above that ask for a gift to the site's cause in words that name no donation or membership
# ("support this webcam … by making a gift to …"): boilerplate's `gift_asks` switch turns them off.
APPEAL_GIFT_CUES = frozenset(
    cue for _, cue in APPEAL_CUE_TABLE if cue.pattern in {source for _, source in _GIFT_CUE_SOURCES}
)

# The cues above that ask the reader to follow the writer or the site on social media, or to sign up below:
# boilerplate's `follow_asks` switch turns them off.
APPEAL_FOLLOW_CUES = frozenset(
    cue for _, cue in APPEAL_CUE_TABLE if cue.pattern in {source for _, source in _FOLLOW_CUE_SOURCES}
)

# Every appeal cue above contains one of these (lower case): a block
# without any of them is not searched at all.
APPEAL_STEMS = tuple(sorted({key for keys, _ in _APPEAL_CUE_SOURCES for key in keys}))

# The whole text of a short call-to-action block ("Support Us", "Donate").
CALL_TO_ACTION = re.compile(
    r"(?:support us|support our work|donate(?: now| today)?|subscribe(?: now| today)?|sign up(?: now)?"
    r"|become a (?:member|patron|supporter)|join (?:us|now|today)|give now|contribute(?: now)?"
    r"|fund this blog|support this blog|double my donation)\W*",
    re.IGNORECASE,
)

# Blocks longer than this are never dropped as appeals: an appeal is a box,
# not an essay. (Characters of text.)
APPEAL_MAX_CHARS = 1500

# A promo paragraph: a label followed by a link to another story, e.g.
# "[Read more: Pashinyan and Aliyev to meet in December]".
PROMO_LABEL = re.compile(
    r"^\W{0,3}(?:read more|read also|also read|read next|see also|related|related stories|related articles?"
    r"|recommended(?: reading)?|more on this(?: story)?|more from [\w ]{1,40}|further reading"
    r"|you (?:may|might) also (?:like|enjoy)|don'?t miss|must read|watch|listen|related coverage"
    r"|recommended for you|keep reading|continue reading)\b\s*[:|\-–—]",
    re.IGNORECASE,
)

# The whole text of a short furniture line inside an article.
BOILERPLATE_LINE = re.compile(
    r"(?:advertisement|advertising|sponsored(?: content)?|share(?: this(?: article| story| post)?)?"
    r"|share on \w+|tweet|email|print|related(?: articles| stories| posts)?|tags?|topics?"
    r"|read more|continue reading|comments?|leave a (?:comment|reply)|skip to (?:main )?content"
    r"|back to top|follow us(?: on \w+)?|like this:?|loading(?: \w+)?(?:\.*|…)|you may also like|more stories"
    r"|click to share on \w+(?: \(opens in new window\))?"
    # form messages that a script shows (newsletter and contact forms)
    r"|thank you!? your submission has been received!?|oops!? something went wrong while submitting the form\.?"
    r"|thanks? (?:you )?for (?:subscribing|signing up)[.!]?(?: .{0,80})?|(?:thank you!? )?please check your (?:inbox|email).{0,80}"
    r"|there was (?:an issue|a problem|an error) with (?:the|your) (?:form|submission)\.?(?: please try again\.?)?"
    r"|back to top|scroll to top|print (?:this )?(?:article|page|recipe)|jump to recipe)\W*",
    re.IGNORECASE,
)

# Blocks whose links carry more than this share of their text are link
# lists (related stories, tag clouds, share bars).
LINK_DENSITY_MAX = 0.5

# A list item, a list or a paragraph that is no sentence (a sentence is the prose rule's)
# whose links carry at most this share of its text names the article's own linked items (what to
# buy and where, a checklist, references, a reading list): on the tuning folds 48 of the 63 such
# blocks the link-list test removed were annotated article text (875 of their 1,021 words).
# A <div> is a box, not a text block: its link lists (teasers, tag boxes) are left to that test.
LINKED_ITEMS_MAX_DENSITY = 0.8
LINKED_ITEM_TAGS = frozenset("p li ul ol".split())

# --- stage 3, the article's edges (feedsvc.clean.edges) --------------------

# The whole text of a heading that opens a list of other stories; it and
# what follows it in the article's tail go.
RELATED_HEADING = re.compile(
    r"(?:(?:the )?(?:latest|trending|popular|top|recent|related|recommended|featured|more|other|similar|most read)"
    r"(?: \w+)? (?:news|posts|articles|stories|reads|reading|content|blog posts|videos|guides|links)"
    r"(?: (?:from|by|on|for|about|like this|that may interest you|you may like)\b.{0,50})?"
    r"|you (?:may|might|will|would) (?:also )?(?:like|enjoy|be interested in)(?: these| this)?(?: \w+)?"
    r"|more (?:to explore|you might like|like this|from (?:the |our )?\w+(?: \w+){0,3}|on [A-Z]\w*(?: [A-Z]\w*){0,3}"
    r"|(?:articles|posts|stories) (?:from|by) .{2,50})"
    r"|read (?:more|next)(?: (?:posts|articles|stories|news)(?: (?:from|by|like this|on this topic)\b.{0,40})?| from .{2,40})?"
    r"|(?:keep|continue) reading|what to read next|explore (?:more|other topics|our blog)|further reading"
    r"|related|see also|also read|read also|in case you missed it|don'?t miss"
    r")\W*",
    re.IGNORECASE,
)

# A byline's lead-in with no name after it ("Written by", "By:", "Par", "Autor:"): what is left of a byline
# whose names went. Whole text only.
BYLINE_LEAD_IN = re.compile(
    r"(?:(?:written|posted|reported|story|words|text|photos?|edited|reviewed|geschrieben|écrit|escrito)\s+)?"
    r"(?:by|von|par|por|door|av|af|di)\s*:?|(?:authors?|byline|autor(?:in|e|es)?|auteur)\s*:",
    re.IGNORECASE,
)

# A link to a page about a writer: the byline or bio box it sits in goes.
AUTHOR_HREF = re.compile(
    r"/(?:authors?|writers?|contributors?|people|staff|team|profiles?|byline|columnists?)/[^/?#]+", re.I
)

# The start of a bio: a name (or he/she/they) and what the person is.
BIO_START = re.compile(
    r"^(?:About the author\W*)?(?:[A-Z][\w.'’-]*(?: \([^)]{1,30}\))?(?: [A-Z][\w.'’-]*){0,3}|She|He|They)"
    r",? (?:is|was|has been|has|holds|leads|writes|serves|specializ|brings|joined|works|covers|lives|loves|earned)\b"
)

# What a contributor line at an article's end says the writer is
# ("Jane Doe is a professor of law at ..."): with ``BIO_START`` and set
# apart (in italics), the line is about the writer, not the story.
CONTRIBUTOR_ROLE = re.compile(
    r"\b(?:writer|editor|author|journalist|reporter|correspondent|columnist|contributor|founder|co-founder"
    r"|ceo|cto|cfo|vp|president|chief|head of|director|manager|partner|fellow|faculty|professor|lecturer"
    r"|researcher|scientist|physician|doctor|lawyer|attorney|analyst|consultant|expert|specialist|economist"
    r"|student|candidate|graduate|member of|chair|executive|adviser|advisor|officer|practitioner)\b",
    re.IGNORECASE,
)

# A byline, dateline or reading time on its own line (before or after the article).
META_LINE = re.compile(
    r"(?:(?:by|written by|posted by|author|words by|reviewed by|edited by|fact[- ]checked by|medically reviewed by)\b\W*"
    r"(?:[A-Z][\w.'’-]*\W*){0,6}.{0,80}"
    r"|(?:(?:last )?(?:updated|published|posted|modified|reviewed)(?: on| at)?:?\s*)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)? )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? ?\d{0,2}(?:st|nd|rd|th)?,? \d{4}.{0,40}"
    r"|(?:(?:last )?(?:updated|published|posted|modified)(?: on)?:?\s*)?\d{1,4}[./-]\d{1,2}[./-]\d{2,4}.{0,30}"
    r"|\d{1,3}\s*(?:-\s*\d{1,3}\s*)?min(?:ute)?s?\.?(?: read(?:ing time)?)?"
    r"|(?:reading time|read time|estimated reading time)\W*\d{1,3}\s*min(?:ute)?s?"
    r"|[\d,.]+k?\s*(?:views|comments|shares|likes)"
    r")",
    re.IGNORECASE,
)

# A label that opens a table of contents.
CONTENTS_LABEL = re.compile(
    r"(?:table of contents|contents|in this (?:article|post|guide|page)|on this page|jump to|skip to|what'?s inside"
    r"|quick (?:links|navigation)|article (?:contents|outline))\W*",
    re.IGNORECASE,
)

# The title of a table of contents and nothing else (a toggle's "[hide]" at most): the narrower
# sibling of CONTENTS_LABEL for a title met anywhere in the article, where "What's inside" or
# "Quick links" can title a section of the article itself.
CONTENTS_TITLE = re.compile(
    r"(?:table of contents|contents|article contents|in this (?:article|post|guide)|on this page|jump to)"
    r"\W*(?:\[?\s*(?:hide|show|toggle)\s*\]?)?\W*",
    re.IGNORECASE,
)

# Affiliate and sponsorship disclosures: what the site says about its
# income, not what the article says.
DISCLOSURE = re.compile(
    r"\bat no (?:extra|additional) (?:cost|charge) to you\b"
    r"|\b(?:we|i) (?:may |might |will )?(?:earn|receive|get|make) (?:a |an )?(?:small )?(?:commission|compensation|affiliate)"
    r"|\b(?:contains?|includes?|uses?|may contain) affiliate links?\b"
    r"|\b(?:by )?(?:using|clicking(?: on)?|buying through|purchasing through) (?:the |our |my |these |any )?affiliate links?\b"
    r"|\bas an amazon associate\b|\baffiliate disclosure\b|\bwe may be compensated\b"
    r"|\bmay include paid promotion\b|\bthis (?:post|article|content) (?:is|was) sponsored by\b"
    r"|\bwe (?:only )?(?:recommend|feature) products? (?:we|that we)\b.{0,40}\bcommission",
    re.IGNORECASE,
)
# Every DISCLOSURE match holds one of these, case-folded (``feedsvc.clean.dom.may_match``).
DISCLOSURE_KEYS = (
    "at no ",
    "commission",
    "compensat",
    "affiliate",
    "amazon associate",
    "paid promotion",
    "sponsored by",
)

# Legal and editorial disclaimers: what the site says about its liability
# ("not intended to replace the advice of ...", "is not legal advice", "the
# views expressed ... do not necessarily reflect ..."), not what the article says.
DISCLAIMER = re.compile(
    r"\bnot intended (?:to|as) (?:replace|be a substitute|substitute|provide|constitute|serve as)\b"
    r"|\b(?:is|are|does|do) not (?:constitute |provide )?(?:legal|medical|financial|tax|investment|professional)"
    r"(?:, (?:legal|medical|financial|tax|investment))*(?:,? or (?:legal|medical|financial|tax|investment|accounting))? advice\b"
    r"|\bshould (?:not |never |ever )?be (?:used|construed|considered) as (?:a substitute|legal|medical|financial|professional)\b"
    r"|\bviews expressed (?:by|in) .{0,60}\b(?:are (?:their|his|her|its|the author)|do not necessarily)\b"
    r"|\bdo(?:es)? not necessarily (?:reflect|represent) the (?:views|opinions|position)\b"
    r"|\bfor (?:general )?information(?:al)? purposes(?: only)?\b",
    re.IGNORECASE,
)
# Every DISCLAIMER match holds one of these, case-folded.
DISCLAIMER_KEYS = ("not intended ", " advice", "should ", "views expressed ", "not necessarily ", " purposes")

# --- stage 4: normalisation ----------------------------------------------

# Attributes that hold the real image URL on lazy-loaded images, in the
# order they are trusted.
LAZY_SRC_ATTRS = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "data-orig-file",
    "data-large-file",
    "data-medium-file",
)
LAZY_SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset", "srcset")

# A src that is only a placeholder for a lazy image.
PLACEHOLDER_SRC = re.compile(
    r"^data:|blank\.(?:gif|png)|spacer\.|placeholder|1x1\.|pixel\.(?:gif|png)|lazy|spinner|loader\.|loading\.(?:gif|svg|png)"
    r"|transparent\.(?:gif|png)|(?:^|/)(?:white|grey|gray|empty|dummy|blank)\.(?:jpe?g|gif|png)",
    re.I,
)

# An alt text that is only a file name ("12-IMG_3886.jpg", "logo-trans.png"): what a CMS fills in when nobody
# wrote one. It describes nothing, yet a reader whose pictures do not load sees it in the text and a screen
# reader spells it out (WCAG's failure F30); an empty alt says the same honestly (``file_name_alt``, normalise).
FILE_NAME_ALT = re.compile(r"[^\s/\\]+\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic)", re.IGNORECASE)
# An alt text that only says a picture is there ("image", "Photo 2", "Thumbnail", "IMG_2671", "featured image",
# "null"): a CMS's or template's default, in the languages of the dev pages and of the appeal checks (English,
# German, French, Spanish, Portuguese, Italian, Czech, Chinese, Japanese). A screen reader reads it out and it tells
# nothing (WCAG's failure F30), so it is emptied as a file name is (``placeholder_alt``, normalise), and a picture
# with such an alt is a picture nothing describes (its caption's rule, scorer).
PLACEHOLDER_ALT = re.compile(
    r"(?:(?:featured|article|post|blog|hero|header|main|lead|default|preview|card)[\s_-]*)?"
    r"(?:image|img|photo|photograph|picture|pic|placeholder|thumbnail|thumb|graphic|"
    r"bild|foto|abbildung|vorschaubild|platzhalter|vignette|imagen|imagem|immagine|miniatura|"
    r"obr[áa]zek|fotografie|图片|圖片|图像|画像|写真)"
    r"(?:[\s_-]*(?:placeholder|thumbnail|\d+))?"
    r"|(?:img|dsc[nf]?|pxl)(?:[\s_-]*\d+)+"  # a camera's file name without its extension (IMG_2671, DSC01234, PXL_2023…)
    r"|null|undefined|none|alt|alt[\s_-]*text|no[\s_-]*alt",
    re.IGNORECASE,
)
# An alt text that is a slug, the words of a title or file name joined by hyphens or underscores
# ("the-mayor-speaks-at-city-hall-2", "Custom-dashboards-Userpilot", "hero_banner"): three parts or more, or
# two joined by "_", at least one of them a word, and no space. A screen reader reads it as one run or spells the
# dashes out; its words are the description (``slug_alt``, normalise). Two parts joined by "-" are a word
# ("e-mail", "T-shirt", "COVID-19").
SLUG_ALT = re.compile(
    r"(?=[^\s]*[^\W\d_])(?:[^\W_]+(?:\.[^\W_]+)*)(?:(?:[-_][^\W_]+(?:\.[^\W_]+)*){2,}|(?:_[^\W_]+(?:\.[^\W_]+)*)+)"
)
# The last part of a slug that is no word of it: WordPress's counter of copies ("-2"), a size ("-300x200"),
# "-scaled", an edit stamp ("-e1712345678").
SLUG_TAIL = re.compile(r"\d{1,2}|\d+x\d+|scaled|e\d{9,}", re.IGNORECASE)

# Pictures that are not the article's (stage 4, ``normalise.drop_furniture_images``).
# An image declared this many pixels or fewer on a side is a tracking pixel,
# a spacer, an icon or a button, not a picture of the article.
TINY_IMAGE_MAX = 24
# A square image declared this size or less is an author's headshot, an avatar or a logo, left
# beside a byline or bio whose text went; an article's pictures are larger or not square.
SQUARE_IMAGE_MAX = 120
# An image served from the site's template rather than uploaded with the
# article: WordPress theme and plugin folders, icon and avatar folders,
# Gravatar's avatars. Matched against the host and path of the image's URL.
TEMPLATE_IMAGE = re.compile(
    r"^(?:[^/]*\.)?gravatar\.com/|/wp-content/(?:themes|plugins)/|/wp-includes/images/|/(?:icons?|avatars?)/",
    re.IGNORECASE,
)
# An author's photo left beside a byline or bio whose text went (normalise's ``author_photos``): the
# image sits, a few levels down, in a box whose class or id names an author, an avatar or a byline
# ("author-container", "blog-meta-avatar", "article-header-author-img", "vcard author") and which
# holds at most a bio's text (a WordPress <article class="author-jane"> holds the whole article: it
# is not such a box); "authority" and "authorize" name no author. Left out: "vcard" alone (an hCard
# is also a business's card, its logo or photo beside its address) and "headshot" (a grid of the
# people an article is about). Written from folds 3-4: 5 photos on 5 domains, no article picture.
AUTHOR_PHOTO_BOX = re.compile(r"author(?!ity|i[sz])|avatar|byline", re.IGNORECASE)
# (An image served from an authors' folder, /images/authors/, is not one by that alone: on folds 3-4
# every such photo was in such a box too, and an "About" page shows its author's portrait from
# /graphics/author/.)
# How many levels above the image the box may be, and the most text (non-space characters) it holds.
AUTHOR_PHOTO_DEPTH = 4
AUTHOR_PHOTO_BOX_TEXT_MAX = 400
# An advertisement's image: an ads folder, or a standard banner size (IAB's
# leaderboard 728x90, skyscraper 160x600, banner 468x60 ...) in its URL's path.
# (300x250 is left out: it is also a common thumbnail size.)
AD_IMAGE = re.compile(
    r"/(?:banner[-_]?ads?|ads?|adverts?|advertising|advertisements?)/"
    r"|(?:^|[^\d])(?:728x90|160x600|468x60|970x90|970x250|320x50|300x600)(?:[^\d]|$)",
    re.IGNORECASE,
)
# An image that asks the reader to act rather than shows something (a banner or button linking to a
# sign-up, a demo or the contact page; normalise's ``call_to_action_images``). Its src names it a CTA:
# a "cta" word in its path (HubSpot serves its buttons from /cta/default/, page builders name them
# LL-CTA-1024x227.png, blog-cta-image.png, cta-visual.png):
CTA_IMAGE_SRC = re.compile(r"(?:^|[^a-z0-9])(?:ctas?|call[-_]to[-_]action)(?:[^a-z0-9]|$)", re.IGNORECASE)
# or its link goes through a CTA redirect (a "cta" word in the link's host or path, as HubSpot's
# cta-redirect.hubspot.com), or to a page that signs the reader up, subscribes them, books a demo or
# contacts the seller (matched against the link's path; its last segment is the page's name,
# "/contact-us/", "/book-a-demo", "/users/sign_up_new"):
CTA_IMAGE_LINK = re.compile(
    r"/(?:[^/]*[-_])?(?:sign[-_]?up(?:[-_][^/]*)?|register|subscribe|contact(?:[-_]us)?|free[-_]trial|get[-_]started"
    r"|(?:book|request|schedule|get)[-_]a[-_]demo)(?:\.\w+)?/?$",
    re.IGNORECASE,
)
# or its alt reads as a button's label ("New Call-to-action", "Click me", "Get a demo",
# "Listen on Apple Podcasts", "Buy me a coffee").
CTA_IMAGE_ALT = re.compile(
    r"^\W*(?:(?:new )?call[- ]to[- ]action|cta|click (?:me|here)|sign up|subscribe|(?:get|book|schedule|request) a demo"
    r"|buy me a coffee|listen on|download on|get it on|available on)\b",
    re.IGNORECASE,
)
# A file name or alt that names a control or an icon (an arrow, a chevron, a button): on an SVG, or an
# image declared CONTROL_IMAGE_MAX px or less, it is the page's interface, not a picture (``control_icons``).
# A photo's name may hold the word too ("AI-Chatbot-Icons.jpg", 6960 px wide): those are larger.
CONTROL_IMAGE_NAME = re.compile(
    r"(?:^|[^a-z])(?:arrows?|chevrons?|carets?|icons?|btn|buttons?)(?:[^a-z]|$)", re.IGNORECASE
)
CONTROL_IMAGE_MAX = 100
# A file name or alt naming an award badge or seal ("editors-choice.svg", "Top Pick Award",
# "trusted-brand.svg"): on an SVG, or an image declared BADGE_IMAGE_MAX px or less (``award_badges``).
BADGE_IMAGE = re.compile(
    r"(?:^|[^a-z])(?:awards?|badges?|editors?[-_ '’]?s?[-_ ]choice|top[-_ ]pick|best[-_ ]pick|trusted[-_ ]brand)(?:[^a-z]|$)",
    re.IGNORECASE,
)
BADGE_IMAGE_MAX = 200
# Query parameters that only track the reader; removed from every link. ref_src and ref_url are X's (Twitter's)
# referral on every link of its embed code and buttons ("?ref_src=twsrc%5Etfw").
TRACKING_PARAMS = frozenset(
    """
    fbclid gclid gclsrc dclid msclkid yclid twclid igshid mc_cid mc_eid _ga _gl
    _hsenc _hsmi __hssc __hstc __hsfp hsctatracking mkt_tok oly_anon_id oly_enc_id
    vero_id vero_conv wickedid rb_clickid s_cid ncid sr_share cmpid
    ref_src ref_url
    """.split()
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
# Query parameters that only track on one site's addresses (host suffix -> names), removed from its links:
# X's share source and share token on a post's address ("?s=20&t=…"), which names the post without them.
SITE_TRACKING_PARAMS = {"twitter.com": frozenset({"s", "t"}), "x.com": frozenset({"s", "t"})}

# Embedded players that become a plain link: host suffix -> link text.
EMBED_HOSTS = {
    "youtube.com": "Watch on YouTube",
    "youtube-nocookie.com": "Watch on YouTube",
    "youtu.be": "Watch on YouTube",
    "vimeo.com": "Watch on Vimeo",
    "dailymotion.com": "Watch on Dailymotion",
    "twitter.com": "View on Twitter",
    "x.com": "View on X",
    "instagram.com": "View on Instagram",
    "facebook.com": "View on Facebook",
    "tiktok.com": "View on TikTok",
    "soundcloud.com": "Listen on SoundCloud",
    "spotify.com": "Listen on Spotify",
    "podcasts.apple.com": "Listen on Apple Podcasts",
    "google.com": "View the map",
    "datawrapper.dwcdn.net": "View the chart",
    "flo.uri.sh": "View the chart",
    "public.flourish.studio": "View the chart",
    "infogram.com": "View the chart",
    "archive.org": "View on the Internet Archive",
}
EMBED_TAGS = frozenset({"iframe", "embed", "object", "video", "audio"})
# The labels of the links stage 4 makes of a <video> or an <audio> of no host of EMBED_HOSTS.
VIDEO_LINK_LABEL = "Watch the video"
AUDIO_LINK_LABEL = "Listen to the audio"

# A post from a social site embedded as a <blockquote> of these classes: the site's script turns it into its
# player (an iframe) in the browser, and without the script the blockquote is the post's text and links. The
# passes that judge text often drop it as not the article's (the datasets' truths leave it out), which left
# "Watch the highlights:" over nothing (``social_posts``, normalise). Its address: the first of these
# attributes, else its last link to a host of EMBED_HOSTS or SOCIAL_POST_HOSTS (a tweet's date links to the post).
SOCIAL_POST_CLASSES = frozenset(
    "twitter-tweet twitter-video instagram-media tiktok-embed imgur-embed-pub reddit-embed-bq bluesky-embed "
    "text-post-media".split()
)
SOCIAL_POST_URL_ATTRS = ("data-instgrm-permalink", "cite", "data-text-post-permalink")
# Sites that embed posts only this way (no player of theirs is an EMBED_HOSTS iframe): host suffix -> link text.
SOCIAL_POST_HOSTS = {
    host: f"View on {name}"
    for host, name in (
        ("imgur.com", "Imgur"),
        ("reddit.com", "Reddit"),
        ("bsky.app", "Bluesky"),
        ("threads.net", "Threads"),
    )
}
# The label every link stage 4 makes of a player or an embedded post begins with, alone or before a colon and
# the embed's title ("Watch on YouTube: How the harbour wall was built"): its words are the cleaner's, never
# the article's (the summary reads past them: clean/summary.py's player_links).
PLAYER_LINK_LABELS = frozenset({*EMBED_HOSTS.values(), *SOCIAL_POST_HOSTS.values(), VIDEO_LINK_LABEL, AUDIO_LINK_LABEL})

# An embed's title that only names the player, not what it plays: the link
# gets the label alone ("Watch on YouTube").
PLAYER_TITLE = re.compile(
    r"(?:(?:youtube|vimeo|dailymotion|embedded|embed|spotify|soundcloud)\b\s*)*(?:video|audio|media|podcast)?\s*(?:player|embed|iframe)?",
    re.IGNORECASE,
)

# Obsolete elements a browser draws as a <pre>, <xmp> and <plaintext> with
# their content as typed (raw text): they become <pre>, or the sanitiser
# would read their escaped text as raw text and readers would see "&gt;"
# where the page shows ">". (dom makes a <plaintext> a <pre> when lexbor
# parses the page; lxml alone leaves it to this.)
RAW_TEXT_TAGS = frozenset({"xmp", "plaintext", "listing"})

# --- stage 5: sanitising (nh3 allowlist) ---------------------------------

# Elements the sanitiser drops with their text: what a browser never shows
# (scripts, styles, raw text of <noembed>, <noframes>, a <noscript> read with
# scripts on, an <iframe>'s fallback, the <title>) and the form control the
# cleaner never publishes. Pruning drops them from pages and fragments; this
# is for what reaches the sanitiser without a prune (a site rule's body whose
# rules say not to prune, the whole-page fallback), where nh3 would publish
# their raw text, escaped, as the article's.
UNSHOWN_TAGS = frozenset({"script", "style", "noembed", "noframes", "noscript", "iframe", "title", "textarea"})

ALLOWED_TAGS = frozenset(
    """
    p br hr h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote q cite pre code kbd samp var
    a img figure figcaption picture table caption thead tbody tfoot tr th td
    em strong b i u s del ins sub sup small mark abbr time
    """.split()
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Characters a reader draws as nothing that str.strip() keeps: zero-width space, non-joiner and
# joiner, left-to-right and right-to-left marks, word joiner, byte order mark, soft hyphen,
# Mongolian vowel separator. Page builders leave them as the whole text of spacer paragraphs.
INVISIBLE_CHARS = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u180e"

# Characters of Unicode's private-use areas (the BMP's U+E000-U+F8FF, planes 15 and 16): an icon font
# (Font Awesome, a theme's own) draws its pictures there, and only with the site's font, which a feed
# reader does not load; everywhere else they are empty boxes (wcxb-dev/0254's "\uf074" paragraphs).
ICON_GLYPHS = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")

# Elements kept even when they hold no text.
VOID_KEEP = frozenset({"img", "br", "hr", "td", "th"})

# The allowed tags that run inside a line (text level), not blocks: a <br>
# that ends one of them breaks the line of the block around it.
INLINE_TAGS = frozenset(
    """
    a q cite code kbd samp var em strong b i u s del ins sub sup small mark abbr time
    """.split()
)

# --- stage 3, chrome inside the article container (feedsvc.clean.chrome) --

# A block whose whole text is HTML tags: an escaped tracking pixel from a
# <noscript> in the page's head, which an HTML5 parser moves into the body
# as text. A tag is only counted with attributes or as an end tag, so a
# block naming an element ("the <p> element") is never all markup.
MARKUP_TEXT = re.compile(
    r"(?:\s*(?:<[a-zA-Z][\w-]*(?:\s+[\w:-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)+\s*/?>|</[a-zA-Z][\w-]*\s*>))+\s*"
)

# A block whose whole text is template placeholders: Mustache/Handlebars/Jinja/Liquid output and tags, ERB/EJS/ASP,
# a template literal's ${name}, a WordPress shortcode. What a template or a script was to fill ("{{hire-ai-eng=
# "/case-banners/hire-ai-eng"}}" becomes a banner): a reader of the page never sees it, the feed's would.
TEMPLATE_PLACEHOLDER_TEXT = re.compile(
    r"(?:\s*(?:\{\{[^{}]{1,200}\}\}|\{%[^{}]{1,200}%\}|<%[=#-]?[^%]{1,200}%>|\$\{[A-Za-z_][\w.]{0,60}\}"
    r"|\[/?(?:caption|embed|gallery|video|audio|playlist|vc_\w+|et_pb_\w+)(?:\s[^\]]{0,200})?\]))+\s*"
)

# A block whose whole text is tokens a plugin, a CMS module or a script was to fill (template_tokens): a plugin's
# shortcode with attributes ("[convertkit form=1630175]", typographic quotes after a smart-quotes filter) or its
# closing tag, a bare plugin shortcode named with "_" ("[rt_reading_time]"), an UPPER_SNAKE module token
# ("[CTA_MODULE]"), Yoast's "%%title%%", Mailchimp's "*|FNAME|*", and a script's value for data it lacked
# ("$undefined", "[object Object]"). Not caught, because the dev truths or pages keep them as text: one upper-case
# word ("[HTTP]", a reference), a bare hyphenated name ("[tur-ji-ver-seyt]", a pronunciation), a "{name}"
# field (math and code), a bare "undefined" or "NaN" (a value a tutorial's table shows).
TEMPLATE_TOKEN_TEXT = re.compile(
    r"(?:\s*(?:\[/?[a-z][\w-]{1,40}(?:\s+[\w-]{1,30}=(?:\"[^\"]{0,100}\"|'[^']{0,100}'|[^\s\]]{1,100}))+\s*/?\]"
    r"|\[/[a-z][\w-]{1,40}\]|\[[a-z][a-z0-9]*(?:_[a-z0-9]+)+\]|\[[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\]"
    r"|%%[a-z_]{2,40}%%|\*\|[A-Z_]{2,40}\|\*|\$(?:undefined|NaN)\b|\[object Object\]))+\s*"
)

# Text of a cookie-consent dialog.
COOKIE_CUE = re.compile(
    r"\b(?:privacy overview|always enabled|(?:strictly )?necessary cookies|non-necessary cookies"
    r"|(?:this|our) (?:web)?site uses cookies|we use cookies|use of cookies|accept (?:all )?cookies"
    r"|cookie (?:settings|preferences|consent|policy)|manage (?:consent|cookies)|reject all|accept all"
    r"|functional cookies|performance cookies|analytics cookies|advertisement cookies)\b",
    re.IGNORECASE,
)
# Every COOKIE_CUE match holds one of these, case-folded.
COOKIE_CUE_KEYS = ("cookie", "privacy overview", "always enabled", "consent", "reject all", "accept all")

# The whole text of a gallery control label or a promo line, in the
# languages of the dev pages (English, Portuguese, Spanish, French, German,
# Italian, Dutch, Czech).
CHROME_LINE = re.compile(
    r"\W*(?:caption|close|open|expand|enlarge|photo|image|video|audio|credit|foto|bild|full ?screen|zoom(?: in| out)?|hide caption|show caption|toggle caption"
    r"|view (?:gallery|slideshow|full image|larger image|image|photo)s?|launch (?:gallery|slideshow)|(?:image|photo|slide) \d+ (?:of|/) \d+"
    r"|\d+ (?:of|/) \d+|\d+ (?:photos|images|slides)|swipe(?: for more)?|play video|replay"
    r"|advert|advertisement|anzeige|werbung|publicidad|publicidade|publicité|pubblicità|advertentie|reklama"
    r"|don'?t miss(?: out)?|explore further|more from [\w .&'-]{1,40}|see more|top stories|most popular|trending(?: now)?"
    r"|share (?:this|this article|this story)?(?: on| via)? (?:whatsapp|facebook|twitter|x|linkedin|email|pinterest|reddit)"
    r"|você pode gostar|veja também|leia também|leia mais|saiba mais|lee también|te puede interesar|lea también"
    r"|lire aussi|à lire aussi|voir aussi|lesen sie auch|mehr zum thema|auch interessant|leggi anche|lees ook"
    r"|přečtěte si také|související články"
    r"|[\d.,]+ (?:usuários|usuarios|users|utilisateurs|nutzer) on-?line"
    # what a script or the page's own furniture says about itself
    r"|this slideshow requires javascript\.?|adchoices|add (?:us )?as a preferred source on google"
    r"|(?:is this email not displaying correctly\?\s*)?view (?:it|this email) in your browser\.?"
    r"|tell us what (?:you|YOU) think\W*|have your say|join the (?:conversation|discussion|debate))\W*",
    re.IGNORECASE,
)

# Template placeholder text a page published as its content ("Lorem ipsum 1",
# "Lorem ipsum dolor sit amet, …" under "Head Line 1"): a block that begins
# so. Test pages use lorem ipsum as their article's own text, so a page's
# placeholders go only beside prose that is not Latin: its other blocks'
# words hold few of these Latin words (function words of lorem ipsum and its
# variants that English and the other dev languages do not use as words).
PLACEHOLDER_START = re.compile(r"\W*lorem ipsum\b", re.IGNORECASE)
LATIN_WORDS = frozenset(
    "et ut sed est quis nisi quam quo quae quia vel eu nam enim eos aut atque sunt amet dolor dolore dolorem "
    "labore magna aliqua ipsum lorem consectetur adipiscing adipisicing eiusmod tempor incididunt".split()
)

# A line that only says when the page was updated, with a clock time or a
# weekday ("Updated 5:27 am CST, Wednesday ..."): page chrome wherever it sits.
# ("Posted on <day> at <time> by <name>" is left to the edge rules: the dev
# truths keep it as often as not.)
UPDATED_LINE = re.compile(
    r"\W*(?:last )?(?:updated|modified|atualizado|actualizado|mis à jour|aktualisiert|aggiornato)"
    r"(?: on| at)?:?\s*(?:\S+\s+){0,3}?(?:\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?)?\b"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)(?!.{0,80}[.!?]\s+\w.{40})",
    re.IGNORECASE,
)

# Previous/next article navigation: a label at either end of a short line.
PREV_NEXT = re.compile(
    r"^\W*(?:previous|prev|next|older|newer|anterior|siguiente|próximo|précédent|suivant|vorheriger|nächster)"
    r"(?: (?:post|article|story|entry|page|item|\w+ news|posts|articles|stories))?(?:\s*[:»›→←«‹|]|\s+[-–—]|\s*$)"
    r"|(?:[:»›→←«‹|]\s*|[-–—]\s+)(?:previous|prev|next|older|newer)(?: (?:post|article|story|entry|page|\w+ news))?\W*$"
    r"|^(?:previous|next|older|newer) (?:post|article|story|entry)\b",
    re.IGNORECASE,
)
# Every PREV_NEXT match holds one of these, case-folded.
PREV_NEXT_KEYS = (
    "prev",
    "next",
    "older",
    "newer",
    "anterior",
    "siguiente",
    "próximo",
    "précédent",
    "suivant",
    "vorheriger",
    "nächster",
)

# The text labels of a web video player's controls, which come along as
# lines when the player sits inside the article ("Current Time 0:00",
# "Loaded: 0%", "Stream Type LIVE", "This is a modal window."): a whole
# line only, so prose about a video's duration or a stream stays.
PLAYER_LABEL = re.compile(
    r"\W*(?:(?:current|remaining|elapsed) time|duration(?: time)?)\s*:?\s*-?\d{1,2}:\d{2}(?::\d{2})?"
    r"|(?:loaded|progress)\s*:\s*\d{1,3}(?:\.\d+)?\s*%"
    r"|stream type\s*(?:live|on demand|vod)"
    r"|seek to live, currently (?:behind|playing) live(?:\s*live)?"
    r"|playback rate(?:\s+[\d.]+x)*|(?:\d(?:\.\d+)?x\s+){2,}[\d.]+x"
    r"|(?:chapters|descriptions|captions|subtitles|audio track|quality levels)(?: off)?,? (?:selected|settings)"
    r"|captions settings, opens captions settings dialog"
    r"|(?:this is a modal window|beginning of dialog window|end of dialog window|close modal dialog)\b.*"
    r"|(?:play|pause|mute|unmute|non-fullscreen|exit fullscreen)\W*",
    re.IGNORECASE,
)

# A slide counter without words around it ("46/50", "3 / 12"): a whole line
# only, and only inside a gallery (``GALLERY_NAME`` on the block or an
# ancestor, or a <figure>): elsewhere "5/5" is a rating and "23/16" a
# table of temperatures, which articles keep.
SLIDE_COUNTER = re.compile(r"\W*(\d{1,3})\s*/\s*(\d{1,3})\W*")
GALLERY_NAME = re.compile(r"slide|gallery|carousel|counter|swiper|lightbox|slick", re.IGNORECASE)

# Words of a class name (``feedsvc.clean.dom.class_words``) that style a
# link as a button: a short line that is all such a link ("Start My LLC",
# "Try Stitch Fix", "Get the Template >") is a call to act, whatever it says.
BUTTON_WORDS = frozenset({"btn", "button", "cta"})

# Prompts to subscribe to a print edition or to comment.
# A button or link line that only calls to act ("Learn more", "Check price here",
# "Get started", "Shop Svala."): with nothing else on its line, never article text.
# Only lines whose text is all link (or a <button>) and short are tested.
CTA_LINE = re.compile(
    r"\W*(?:(?:learn|find out|read|see|view|discover|explore|show) more(?: (?:about|on|at|here)\b.{0,40})?"
    r"|get (?:started|a (?:free )?quote|my discount|the (?:app|deal|offer)|an estimate|yours|it now|offer)"
    r"|(?:check|see|view|compare) (?:the |their |its |our )?(?:latest |current )?(?:price|prices|deal|deals|rates|availability|plans|offer)s?"
    r"(?: (?:and|&) (?:availability|prices|rates|reviews|deals))?(?: (?:here|now|on [\w.]+|at [\w.]+))?"
    r"|(?:see|read|view) (?:more|all) (?:reviews|details|products|photos|deals|offers)"
    r"|(?:shop|buy|order) (?:now|today|it|here|(?:it |now )?(?:on|at|from) [\w.&' -]{1,30}|[\w.&' -]{1,30})"
    r"|try (?:it )?(?:free|for free|now|today)|start (?:your |a )?free trial|(?:sign up|subscribe)(?: now| today| for free)?"
    r"|book (?:now|a demo|a call)|request a (?:demo|quote)|contact us|visit (?:the )?(?:site|website|store|shop)"
    r"|see (?:the )?(?:rating|details|deal|offer)|view (?:this )?(?:figure|deal|offer|details)"
    r"|back to (?:the )?top)\W*",
    re.IGNORECASE,
)

PROMPT_CUE = re.compile(
    r"\bdelivered (?:to|through) your (?:door|letterbox|letter box|mailbox)\b"
    r"|\bclick here to (?:subscribe|buy|order|get (?:your|the) (?:copy|issue|magazine))\b"
    r"|\bsubscribe (?:today|now) and (?:save|get)\b|\bsave \d+% (?:on|off) (?:the )?(?:cover price|subscription)"
    r"|^tell us what (?:you|YOU) think\b|^(?:have|share) your (?:say|views|thoughts) in the comments\b"
    r"|^let us know (?:what you think )?in the comments\b"
    # social and feed prompts: "Follow me on Pinterest ...", "The post X appeared first on Y."
    r"|\bfollow (?:me|us) on (?:pinterest|instagram|facebook|twitter|tiktok|youtube|x|threads|linkedin)\b"
    r"|\bpin (?:it|this)(?: image| post)? (?:using|for later|to (?:your|refer))|\b(?:please|moment to) leave a (?:star )?rating\b"
    r"|^the post .{5,200} appeared first on .{2,80}$|^\d{1,3}% of (?:people|readers) found this (?:article|page|post) helpful",
    re.IGNORECASE,
)
# Every PROMPT_CUE match holds one of these, case-folded.
PROMPT_CUE_KEYS = (
    "delivered ",
    "click here to ",
    "subscribe ",
    "save ",
    "tell us what ",
    "in the comments",
    "follow ",
    "pin ",
    "leave a ",
    " appeared first on ",
    "% of ",
)

# The whole text of a label over an author's bio ("About the author",
# "Who curated this article?", "Article written by:"): the label and the
# bio under it are about the writer, not the story.
BIO_LABEL = re.compile(
    r"\W*(?:about (?:the )?(?:author|writer|contributor|reviewer)s?|about me"
    r"|who (?:wrote|curated|reviewed|edited) this (?:article|post|story|guide|page)"
    r"|(?:article |post |story )?(?:written|reviewed|curated|fact[- ]checked|edited|medically reviewed) by"
    r"|meet (?:the|our) (?:author|writer)s?|author(?:'s|’s)? (?:bio|biography|profile))\W*",
    re.IGNORECASE,
)

# A bio that greets the reader ("Hi, I'm Jessica! Welcome to ...", "Hey
# there, I’m Ashley Biancuzzo, and I oversee ..."): at the article's end it
# is the writer's sign-off box.
GREETING_BIO = re.compile(r"\W*(?i:hi|hey|hello|howdy)(?i: there| friends?| everyone)?[,!.]*\s+I[’']?m [A-Z]")

# A line of tags or categories ("Tags: Employment, Health & Fitness",
# "Filed under: Travel | Japan"): a short list after a label, no sentence in it.
TAG_LINE = re.compile(
    r"\W*(?:tags|tagged(?: with| as| in)?|filed (?:under|in)|categories|category|posted in|topics)\s*:\s*"
    r"[^.!?:]{1,60}(?:\s*[,|•·/]\s*[^.!?:]{1,60}){0,14}\W*",
    re.IGNORECASE,
)

# A copyright notice ("Copyright © 2023 NPR. All rights reserved. ..."): the
# site's, never the story's.
COPYRIGHT_LINE = re.compile(
    r"\W*(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:\d{4}|[A-Z]).{0,120}?\ball rights reserved\b.{0,200}",
    re.IGNORECASE | re.DOTALL,
)

# The learned scorer's list items (scorer.item_of_kept_list): an item it dropped stays when at
# least this share of the other items of its list are kept, and the list has this many other
# items at least (one kept neighbour of two is no majority).
ITEM_KEPT_SHARE = 2 / 3
ITEM_MIN_SIBLINGS = 2

# The learned scorer's captions (scorer.caption_of_kept_picture): a caption it dropped stays when
# its picture is kept and it says what the picture shows, in this many words at least ("Harvard CS50
# free certificate"); fewer is a label or a name. Its figure (the nearest element above it with a
# picture) holds at most this many characters of text besides the caption (a credit): more is a
# section of the article, not one figure.
CAPTION_MIN_WORDS = 3
CAPTION_FIGURE_MAX_OTHER_CHARS = 120
# A caption that is a credit only, not what the picture shows: it starts by naming a credit ("Photo:
# X", "Image by X", "Credit:", "Courtesy of", "Source:", "©", "Via"; nytimes glues "CreditJane Doe"),
# or it is a short line naming a photo agency or stock library ("Jane Doe/Getty Images", "(AP
# Photo/Evan Vucci)"), or a name for a publication ("Jane Doe for The New York Times"). The nine
# words at most are counted with possessive quantifiers: "(?:\W*\w+){0,9}" splits a long caption's
# words every way before failing (38 ms on a 30-word caption; 4 % of clean_article's time).
CAPTION_CREDIT = re.compile(
    r"\W*(?:(?:(?:top|main|featured|header|cover|lead)\s+)?"
    r"(?:photo(?:graph|grapher)?|image|picture|pic|illustration|graphic|video|foto|bild|imagem|imagen)s?"
    r"(?:\s+credits?)?\s*(?::|by\b|courtesy\b|via\b|source\b|from\b|©|—|–|-\s)"
    r"|credits?(?:\b|(?-i:(?=[A-Z])))|courtesy\b|sources?\s*:|via\b|©|\(c\)|copyright\b|all rights reserved\b)"
    r"|(?=(?:\W*+\w++){0,9}\W*+$).*\b(?:getty(?: images)?|shutterstock|istock(?:photo)?|ap photo|associated press|reuters"
    r"|afp|epa|alamy|redux|unsplash|pexels|pixabay|adobe stock|dreamstime|depositphotos|wikimedia commons|flickr|canva"
    r"|midjourney)\b"
    r"|(?-i:\W*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3}\s+(?i:for|para|pour|für|per|voor)\s+\S.{0,40})$",
    re.IGNORECASE | re.DOTALL,
)
# A short caption of names joined by "/" or "|" is a credit ("Investopedia / Mira Norian",
# "Lauren Dragan/NYT Wirecutter"): at most this many words.
CAPTION_CREDIT_SLASH_MAX_WORDS = 6

# --- confidence: when the cleaner doubts its result (clean/confidence.py) --

# Doubt a short article only on pages with this much paragraph text
# (characters): a short page's article may well be most of it, or little.
DOUBT_PAGE_MIN_CHARS = 2000
# The article holds less than this share of the page's paragraph text
# (reader comments left out: confidence.comments_are_no_page_text).
DOUBT_SHORT_SHARE = 0.2
# The chosen container holds less than this share of the paragraph text
# left after pruning.
DOUBT_OUTSIDE_SHARE = 0.35
# A description is compared when it has this many distinct words of 4+
# letters; the article is doubtful when it holds fewer than this share.
DOUBT_DESCRIPTION_MIN_WORDS = 6
DOUBT_DESCRIPTION_MIN_SHARE = 0.15
# The learned block scorer removed at least this share of the text the
# extraction chose (of DOUBT_SCORED_MIN_CHARS or more): the container held
# much besides the article, and the scorer may have left some of it.
DOUBT_SCORER_REMOVED_SHARE = 0.2
DOUBT_SCORED_MIN_CHARS = 1000
# Teasers (confidence.teaser_cards): a heading that is wholly a link to
# another page of the same site, over at most this many characters of text
# before the next heading (an excerpt, not a section). The result is
# doubtful when it holds this many of them, together this share of its text
# or more: a list of related stories, or a listing page, not one article.
DOUBT_TEASER_MAX_EXCERPT = 600
DOUBT_TEASER_MIN_CARDS = 3
DOUBT_TEASER_SHARE = 0.3
